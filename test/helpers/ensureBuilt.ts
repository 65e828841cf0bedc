import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const repoRoot = resolve(import.meta.dirname, "../..");

/** What the tests that load the built packages read: the SDK's Node (ESM, CommonJS, types) and browser builds, and the emulator package's. */
const BUILT_FILES = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/browser/index.js", "emulator/dist/index.js", "emulator/dist/index.d.ts"];

/**
 * `npm test` builds first; this builds only when dist/ is missing (e.g. running one test file alone),
 * never because it is older than src/: another test file may be reading dist/ at that moment.
 */
export function ensureBuilt(): void {
  if (BUILT_FILES.every((file) => existsSync(join(repoRoot, file)))) return;
  // Piped, so a failed build's error carries tsup's output.
  execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build"], { cwd: repoRoot, stdio: "pipe", shell: process.platform === "win32" });
}
