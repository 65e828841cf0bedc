/**
 * vitest.config.ts and a missing Chromium: locally the Node tests still run and one line says how to
 * install it; under CI=true the run fails instead of skipping the browser tests silently.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

type Config = { test?: { projects?: Array<string | { test?: { name?: string } }> } };
/** A project's name; a string entry is a project config file (the emulator package's). */
const projectName = (project: string | { test?: { name?: string } }) => (typeof project === "string" ? project : project.test?.name);

async function loadConfig(): Promise<Config> {
  vi.resetModules();
  return ((await import("../../vitest.config.js")) as { default: Config }).default;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("communication-identity.browser-tests.skip-said")];
});

describe("vitest.config.ts without Chromium", () => {
  it("keeps the Node project, collects the browser tests only to report them skipped, and prints one install line", async () => {
    vi.stubEnv("CI", "");
    vi.stubEnv("CHROMIUM_PATH", "/nonexistent/chromium");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const config = await loadConfig();
    expect(config.test?.projects?.map(projectName)).toEqual(["node", "emulator/vitest.config.ts", "browser (skipped: no Chromium)"]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/Chromium not found.*apt-get install -y chromium/);
  });

  it("fails under CI=true", async () => {
    vi.stubEnv("CI", "true");
    vi.stubEnv("CHROMIUM_PATH", "/nonexistent/chromium");
    await expect(loadConfig()).rejects.toThrow(/CI=true and Chromium is missing/);
  });
});

describe("vitest.config.ts with Chromium", () => {
  it("adds the browser project and the sample page project", async () => {
    // Any existing file passes for the executable here: only the config's choice is under test.
    vi.stubEnv("CHROMIUM_PATH", process.execPath);
    const config = await loadConfig();
    expect(config.test?.projects?.map(projectName)).toEqual(["node", "emulator/vitest.config.ts", "browser", "browser-page"]);
  });
});
