import { emitGeneratedFiles, SPEC_FILES } from "./emit.js";
import { loadSpecs } from "./spec.js";

export { SPEC_FILES } from "./emit.js";

/** Reads the spec files under `repoRoot` and returns the content of every `src/generated/` file by name. */
export function generateFiles(repoRoot: string): Map<string, string> {
  return emitGeneratedFiles(loadSpecs(repoRoot, SPEC_FILES));
}
