import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importTarget, snapshotOurBuild } from "../../bench/snapshot.js";

describe("importTarget", () => {
  it("follows the import condition through nested conditions", () => {
    expect(importTarget({ browser: "./b.js", import: { types: "./i.d.ts", default: "./i.js" }, require: "./r.cjs" })).toBe("./i.js");
    expect(importTarget("./plain.js")).toBe("./plain.js");
    expect(importTarget({ browser: null })).toBeUndefined();
  });
});

/** A fake repository (the SDK at the root, the emulator package in emulator/) whose builds were written `ageMs` ago. */
function fakePackage(ageMs: number, { emulator = true, broken = false } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "bench-snapshot-src-"));
  mkdirSync(join(root, "dist", "browser"), { recursive: true });
  mkdirSync(join(root, "emulator", "dist"), { recursive: true });
  const exportsMap = { ".": { browser: "./dist/browser/index.js", import: { types: "./dist/index.d.ts", default: "./dist/index.js" } } };
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "communication-identity", type: "module", exports: exportsMap }));
  writeFileSync(join(root, "dist", "index.js"), broken ? "export const nope = 1;\n" : "export class CommunicationIdentityClient {}\n");
  writeFileSync(join(root, "dist", "index.js.map"), "{}");
  writeFileSync(join(root, "dist", "browser", "index.js"), "export class CommunicationIdentityClient {}\n");
  const emulatorExports = { ".": { node: { import: { default: "./dist/index.js" } } } };
  writeFileSync(join(root, "emulator", "package.json"), JSON.stringify({ name: "communication-identity-emulator", type: "module", exports: emulatorExports }));
  if (emulator) writeFileSync(join(root, "emulator", "dist", "index.js"), "export async function startIdentityEmulator() {}\n");
  const then = new Date(Date.now() - ageMs);
  for (const path of ["dist/index.js", "dist/index.js.map", "dist/browser/index.js", "dist/browser", "dist", "emulator/dist", ...(emulator ? ["emulator/dist/index.js"] : [])]) {
    utimesSync(join(root, path), then, then);
  }
  return root;
}

describe("snapshotOurBuild", () => {
  it("copies a settled dist/ and package.json, without source maps, and finds the entries", async () => {
    const sourceRoot = fakePackage(60_000);
    const tmpDir = mkdtempSync(join(tmpdir(), "bench-snapshot-"));
    const result = await snapshotOurBuild(tmpDir, { sourceRoot, quietMs: 1000, maxWaitMs: 10_000 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const packageDir = join(tmpDir, "ours", "node_modules", "communication-identity");
    expect(result.build).toMatchObject({
      packageDir,
      nodeEntry: join(packageDir, "dist", "index.js"),
      emulatorEntry: join(tmpDir, "ours", "node_modules", "communication-identity-emulator", "dist", "index.js"),
      hasBrowserBuild: true,
    });
    expect(existsSync(join(packageDir, "package.json"))).toBe(true);
    expect(existsSync(join(packageDir, "dist", "index.js.map"))).toBe(false);
  });

  it("says not built when dist/ is missing", async () => {
    const sourceRoot = mkdtempSync(join(tmpdir(), "bench-snapshot-empty-"));
    const result = await snapshotOurBuild(mkdtempSync(join(tmpdir(), "bench-snapshot-")), { sourceRoot });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^not built/) });
  });

  it("leaves the emulator out when it is not built", async () => {
    const sourceRoot = fakePackage(60_000, { emulator: false });
    const result = await snapshotOurBuild(mkdtempSync(join(tmpdir(), "bench-snapshot-")), { sourceRoot, quietMs: 1000 });
    expect(result.ok && result.build.emulatorEntry).toBeUndefined();
  });

  it("gives up on a build that does not load", async () => {
    const sourceRoot = fakePackage(60_000, { broken: true });
    const result = await snapshotOurBuild(mkdtempSync(join(tmpdir(), "bench-snapshot-")), { sourceRoot, quietMs: 1000, maxWaitMs: 1500 });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining("does not load") });
  });
});
