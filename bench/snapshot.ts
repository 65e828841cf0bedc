// Other engineers rebuild dist/ while a run is going (tsup starts by deleting it), so the run
// measures a private copy: bench/.tmp/ours/node_modules/communication-identity/{package.json,dist/},
// and the emulator package (emulator/) beside it as communication-identity-emulator. From there the
// packages' own dependencies still resolve upward to the repo's node_modules.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./children.js";

export interface OurBuild {
  /** The package directory of the copy (has package.json and dist/). */
  packageDir: string;
  /** Absolute path of the Node ESM entry, as the exports map's "import" condition names it. */
  nodeEntry: string;
  /** Absolute path of the emulator package's entry (emulator/dist), when built. */
  emulatorEntry: string | undefined;
  /** True when dist/browser/index.js is in the copy. */
  hasBrowserBuild: boolean;
  /** When dist/ was last written. */
  builtAt: Date;
}

export type OurBuildResult = { ok: true; build: OurBuild } | { ok: false; reason: string };

/** Newest modification time under a directory, in ms. */
export function newestMtime(dir: string): number {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The "import" target of an exports entry (string or nested conditions), relative to the package. */
export function importTarget(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (!entry || typeof entry !== "object") return undefined;
  const conditions = entry as Record<string, unknown>;
  return importTarget(conditions.import) ?? importTarget(conditions.node) ?? importTarget(conditions.default);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Imports the copy in a throwaway process: a half-written build fails here, not mid-measurement. */
function loads(entry: string, exportName: string): boolean {
  try {
    const probe = `const m = await import(${JSON.stringify(pathToFileURL(entry).href)}); if (typeof m[${JSON.stringify(exportName)}] !== "function") process.exit(3);`;
    execFileSync(process.execPath, ["--input-type=module", "-e", probe], { stdio: "ignore", timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until dist/ has not changed for `quietMs`, copies it, and checks the copy loads.
 * Retries a few times if a rebuild lands during the copy.
 */
export async function snapshotOurBuild(
  tmpDir: string,
  { quietMs = 3000, maxWaitMs = 60_000, sourceRoot = repoRoot } = {},
): Promise<OurBuildResult> {
  const distDir = join(sourceRoot, "dist");
  const emulatorDir = join(sourceRoot, "emulator");
  const emulatorDistDir = join(emulatorDir, "dist");
  const packageDir = join(tmpDir, "ours", "node_modules", "communication-identity");
  const emulatorPackageDir = join(tmpDir, "ours", "node_modules", "communication-identity-emulator");
  const newestBuild = () => Math.max(newestMtime(distDir), existsSync(emulatorDistDir) ? newestMtime(emulatorDistDir) : 0);
  const deadline = Date.now() + maxWaitMs;
  let lastReason = "dist/ kept changing";
  let seen = false;
  while (Date.now() < deadline) {
    if (!existsSync(join(distDir, "index.js"))) {
      // Missing at the start means never built; missing later means a rebuild is under way.
      if (!seen) return { ok: false, reason: "not built (dist/index.js missing: run npx tsup)" };
      await sleep(1000);
      continue;
    }
    seen = true;
    let builtAt: number;
    try {
      builtAt = newestBuild();
    } catch {
      await sleep(500);
      continue;
    }
    if (Date.now() - builtAt < quietMs) {
      await sleep(500);
      continue;
    }
    const withEmulator = existsSync(join(emulatorDistDir, "index.js"));
    const noMaps = { recursive: true, filter: (source: string) => !source.endsWith(".map") };
    rmSync(packageDir, { recursive: true, force: true });
    rmSync(emulatorPackageDir, { recursive: true, force: true });
    mkdirSync(packageDir, { recursive: true });
    try {
      cpSync(join(sourceRoot, "package.json"), join(packageDir, "package.json"));
      cpSync(distDir, join(packageDir, "dist"), noMaps);
      if (withEmulator) {
        mkdirSync(emulatorPackageDir, { recursive: true });
        cpSync(join(emulatorDir, "package.json"), join(emulatorPackageDir, "package.json"));
        cpSync(emulatorDistDir, join(emulatorPackageDir, "dist"), noMaps);
      }
    } catch {
      lastReason = "dist/ changed during the copy";
      await sleep(1000);
      continue;
    }
    type Manifest = { exports?: Record<string, unknown> };
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as Manifest;
    const nodeTarget = importTarget(manifest.exports?.["."]);
    if (!nodeTarget) return { ok: false, reason: 'package.json has no "exports"["."] import target' };
    const nodeEntry = join(packageDir, nodeTarget);
    const emulatorManifest = withEmulator ? (JSON.parse(readFileSync(join(emulatorPackageDir, "package.json"), "utf8")) as Manifest) : undefined;
    const emulatorTarget = importTarget(emulatorManifest?.exports?.["."]);
    const emulatorEntry = emulatorTarget && existsSync(join(emulatorPackageDir, emulatorTarget)) ? join(emulatorPackageDir, emulatorTarget) : undefined;
    if (!loads(nodeEntry, "CommunicationIdentityClient") || (emulatorEntry && !loads(emulatorEntry, "startIdentityEmulator"))) {
      lastReason = "the copy of dist/ does not load (half-written build?)";
      await sleep(2000);
      continue;
    }
    if (newestBuild() !== builtAt) {
      lastReason = "dist/ changed during the copy";
      continue;
    }
    return {
      ok: true,
      build: {
        packageDir,
        nodeEntry,
        emulatorEntry,
        hasBrowserBuild: existsSync(join(packageDir, "dist", "browser", "index.js")),
        builtAt: new Date(builtAt),
      },
    };
  }
  return { ok: false, reason: `no stable build of dist/ within ${maxWaitMs / 1000} s (${lastReason})` };
}
