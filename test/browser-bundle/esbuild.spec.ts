/** An app calling createUserAndToken bundles for browsers with esbuild cleanly and without Node polyfills. */
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/ensureBuilt.js";
import { createConsumerApp, nodeIsms, polyfillPackages, type ConsumerApp } from "./consumerApp.js";

let app: ConsumerApp;
beforeAll(() => {
  ensureBuilt();
  app = createConsumerApp();
}, 60_000);
afterAll(() => app?.remove());

function bundle(entry: string) {
  return esbuild.build({
    entryPoints: [entry],
    absWorkingDir: app.dir,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
}

describe("esbuild --platform=browser", () => {
  it("bundles the app with zero warnings and no Node-isms in the output", async () => {
    const result = await bundle(app.entry);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const code = result.outputFiles[0].text;
    expect(code).toContain("createUserAndToken");
    expect(nodeIsms(code)).toEqual([]);
  });

  it("takes the package's browser build, with no polyfills and nothing Node-only", async () => {
    const inputs = Object.keys((await bundle(app.entry)).metafile.inputs);
    // Symlinked into node_modules, so esbuild reports the package's files by their real path in the repo.
    const ours = inputs.filter((path) => !path.includes("node_modules/") && path !== "app.js");
    expect(ours).toHaveLength(1);
    expect(ours[0].endsWith("/dist/browser/index.js")).toBe(true);
    expect(inputs.filter((path) => polyfillPackages.test(path))).toEqual([]);
    expect(inputs.filter((path) => /emulator|nodeHttpClient|selfsigned/.test(path))).toEqual([]);
  });

  it("cannot reach the emulator from a browser bundle", async () => {
    const emulatorApp = createConsumerApp('import { startIdentityEmulator } from "communication-identity-emulator";\nconsole.log(startIdentityEmulator);\n');
    try {
      await expect(bundle(emulatorApp.entry)).rejects.toThrow(/communication-identity-emulator/);
    } finally {
      emulatorApp.remove();
    }
  });
});
