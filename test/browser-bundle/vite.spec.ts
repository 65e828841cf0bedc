/** An app calling createUserAndToken builds for browsers with Vite cleanly and without Node polyfills. */
import { build, createLogger, type Rolldown } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/ensureBuilt.js";
import { createConsumerApp, nodeIsms, polyfillPackages, type ConsumerApp } from "./consumerApp.js";

let app: ConsumerApp;
beforeAll(() => {
  ensureBuilt();
  app = createConsumerApp();
}, 60_000);
afterAll(() => app?.remove());

interface ViteResult {
  warnings: string[];
  chunks: Rolldown.OutputChunk[];
}

/** Vite's production build of index.html, in memory, with every warning collected. */
async function viteBuild(dir: string): Promise<ViteResult> {
  const warnings: string[] = [];
  const logger = createLogger("warn", { allowClearScreen: false });
  logger.warn = (message) => void warnings.push(message);
  logger.warnOnce = (message) => void warnings.push(message);
  logger.error = (message) => void warnings.push(message);
  const output = await build({
    root: dir,
    configFile: false,
    logLevel: "warn",
    customLogger: logger,
    build: {
      write: false,
      minify: false,
      rolldownOptions: { onwarn: (warning) => void warnings.push(warning.message) },
    },
  });
  const outputs = (Array.isArray(output) ? output : [output]) as Rolldown.RolldownOutput[];
  const chunks = outputs.flatMap((result) => result.output.filter((file): file is Rolldown.OutputChunk => file.type === "chunk"));
  return { warnings, chunks };
}

describe("vite build", () => {
  it("builds the app with zero warnings and no Node-isms in the output", async () => {
    const { warnings, chunks } = await viteBuild(app.dir);
    expect(warnings).toEqual([]);
    const code = chunks.map((chunk) => chunk.code).join("\n");
    expect(code).toContain("createUserAndToken");
    expect(nodeIsms(code)).toEqual([]);
    // Vite replaces Node built-ins it cannot bundle with this stub; none may be needed.
    expect(code).not.toContain("__vite-browser-external");
  }, 30_000);

  it("takes the package's browser build, with no polyfills and nothing Node-only", async () => {
    const { chunks } = await viteBuild(app.dir);
    const modules = chunks.flatMap((chunk) => Object.keys(chunk.modules));
    const ours = modules.filter((path) => !path.includes("/node_modules/") && !path.startsWith(app.dir) && !path.startsWith("\0"));
    expect(ours).toHaveLength(1);
    expect(ours[0].endsWith("/dist/browser/index.js")).toBe(true);
    expect(modules.filter((path) => polyfillPackages.test(path))).toEqual([]);
    expect(modules.filter((path) => /emulator|nodeHttpClient|selfsigned/.test(path))).toEqual([]);
  }, 30_000);

  it("cannot reach the emulator from a browser build", async () => {
    const emulatorApp = createConsumerApp('import { startIdentityEmulator } from "communication-identity-emulator";\nconsole.log(startIdentityEmulator);\n');
    try {
      await expect(viteBuild(emulatorApp.dir)).rejects.toThrow(/"\." is not exported under the conditions .*communication-identity-emulator/);
    } finally {
      emulatorApp.remove();
    }
  }, 30_000);
});
