import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { USAGE } from "../src/cliOptions.js";
import { emulatorRoot } from "./helpers/cliProcess.js";

const exec = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

/** The environment without what an enclosing `npm run` set (workspace, prefix, …), as a user's shell has it. */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

describe("the packed package", () => {
  const work = mkdtempSync(path.join(tmpdir(), "emulator-npx-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("runs its bin with npx from the tarball in an empty directory, and prints the usage", async () => {
    // Packs the build as it is (`npm run build -w communication-identity-emulator` first): scripts are not run.
    expect(existsSync(path.join(emulatorRoot, "dist", "cli.js")), "build the emulator first (npm run build -w communication-identity-emulator)").toBe(true);
    expect(readdirSync(work)).toEqual([]);
    const packed = await exec(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: emulatorRoot, env: userEnvironment(), shell: process.platform === "win32" });
    const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
    expect(readdirSync(work)).toEqual([path.basename(filename)]);

    // --prefer-offline: the registry is asked only for what the local cache lacks (the emulator's two dependencies' trees).
    const { stdout } = await exec(npx, ["--yes", "--prefer-offline", "-p", `./${path.basename(filename)}`, "communication-identity-emulator", "--help"], {
      cwd: work,
      env: userEnvironment(),
      timeout: 170_000,
      shell: process.platform === "win32",
    });
    expect(stdout).toBe(USAGE);
  }, 180_000);
});
