import { playwright } from "@vitest/browser-playwright";
import type { Plugin } from "vite";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { chromiumArgs, chromiumInstallHint, chromiumRequiredInCi, findChromium } from "./test/browser/chromium.js";
import { createEmulatorTls } from "./test/browser/emulatorTls.js";
import { skippedBrowserProjectName } from "./test/support/summaryReporter.js";

// The emulator package runs its own tests (emulator/vitest.config.ts); the root run includes them.
const emulatorProject = "emulator/vitest.config.ts";

const nodeProject: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: "node",
    include: ["test/**/*.spec.ts"],
    exclude: ["test/browser/**", "node_modules/**", "emulator/**"],
    environment: "node",
  },
};

/**
 * The browser tests load src/ as the browser build does: the `#platform/…` twins declared in
 * package.json "imports" resolve to their "browser" files through Vite's own conditions, so nothing
 * here maps them. This plugin only guards: anything Node-only that src/ still imports fails the
 * import, so a Node shim can never slip into a passing run. (dist/browser itself is exercised by
 * the bundle and page tests.)
 */
const browserSourcePlugin: Plugin = {
  name: "communication-identity:node-only-guard",
  enforce: "pre",
  // Only for code that runs in the page; globalSetup (Node) legitimately imports the emulator.
  applyToEnvironment: (environment) => environment.config.consumer === "client",
  resolveId(source, importer) {
    const nodeOnly = /^node:|^(buffer|crypto|fs|http|https|net|os|path|stream|tls|url|util|zlib)$|\/(nodeHttpClient|http1Exchange|emulator\/)/.test(source);
    if (nodeOnly && importer !== undefined && !importer.includes("/node_modules/")) {
      this.error(`${source} (imported by ${importer}) is Node-only and must not reach the browser build.`);
    }
    return null;
  },
};

async function browserProjects(executablePath: string): Promise<TestProjectInlineConfiguration[]> {
  const tls = await createEmulatorTls();
  return [
    {
      extends: true,
      plugins: [browserSourcePlugin],
      // Pre-bundled up front so Vite never reloads the page mid-run after discovering them.
      optimizeDeps: {
        include: ["@azure/core-rest-pipeline", "@azure/core-util", "@azure/core-auth", "@azure/logger", "@azure/core-tracing"],
      },
      test: {
        name: "browser",
        include: ["test/browser/client/**/*.spec.ts"],
        globalSetup: ["test/browser/globalSetup.ts"],
        testTimeout: 15_000,
        browser: {
          enabled: true,
          headless: true,
          screenshotFailures: false,
          provider: playwright({
            launchOptions: { executablePath, args: [...chromiumArgs, `--ignore-certificate-errors-spki-list=${tls.spki}`] },
          }),
          instances: [{ browser: "chromium" }],
        },
      },
    },
    {
      extends: true,
      test: {
        name: "browser-page",
        include: ["test/browser/page/**/*.spec.ts"],
        environment: "node",
        testTimeout: 15_000,
        // After the browser project, so only one Chromium runs at a time.
        sequence: { groupOrder: 1 },
      },
    },
  ];
}

/**
 * Without Chromium the browser tests are still collected (in Node, no globalSetup) and then all marked
 * skipped by test/support/skipAllRunner.ts, so the run's counts show them as skipped.
 */
const skippedBrowserProject: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: skippedBrowserProjectName,
    include: ["test/browser/client/**/*.spec.ts", "test/browser/page/**/*.spec.ts"],
    environment: "node",
    runner: "./test/support/skipAllRunner.ts",
  },
};

const chromium = findChromium();
if (chromium === undefined) {
  // Under CI a missing browser must fail the run, never pass as a silent skip.
  if (process.env.CI === "true") throw new Error(chromiumRequiredInCi);
  // Vitest may evaluate this file more than once per run: say it once.
  const said = Symbol.for("communication-identity.browser-tests.skip-said");
  const scope = globalThis as Record<symbol, unknown>;
  if (!scope[said]) console.warn(chromiumInstallHint);
  scope[said] = true;
}

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ["default", "./test/support/summaryReporter.ts"],
    projects: [nodeProject, emulatorProject, ...(chromium === undefined ? [skippedBrowserProject] : await browserProjects(chromium))],
  },
});
