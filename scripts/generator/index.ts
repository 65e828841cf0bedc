import { readFileSync } from "node:fs";
import { join } from "node:path";
import { emitGeneratedFiles, emitPackageInfo, SPEC_FILES } from "./emit.js";
import { loadSpecs } from "./spec.js";

export { SPEC_FILES } from "./emit.js";

/** Reads the spec files under `repoRoot` and returns the content of every `src/generated/` file by name. */
export function generateFiles(repoRoot: string): Map<string, string> {
  const files = emitGeneratedFiles(loadSpecs(repoRoot, SPEC_FILES));
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { name: string; version: string };
  files.set("packageInfo.ts", emitPackageInfo(manifest));
  return files;
}
