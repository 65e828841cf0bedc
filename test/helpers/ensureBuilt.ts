import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const repoRoot = resolve(import.meta.dirname, "../..");

/** What the tests that load the built package read: the Node (ESM, CommonJS, types), browser and emulator builds. */
const BUILT_FILES = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/browser/index.js", "dist/emulator/index.js", "dist/emulator/index.d.ts"];

/**
 * `npm test` builds first; this builds only when dist/ is missing (e.g. running one test file alone),
 * never because it is older than src/: another test file may be reading dist/ at that moment.
 */
export function ensureBuilt(): void {
  if (BUILT_FILES.every((file) => existsSync(join(repoRoot, file)))) return;
  // Piped, so a failed build's error carries tsup's output.
  execFileSync(join(repoRoot, "node_modules", ".bin", "tsup"), { cwd: repoRoot, stdio: "pipe" });
}
