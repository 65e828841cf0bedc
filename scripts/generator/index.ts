import { readFileSync } from "node:fs";
import { join } from "node:path";
import { emitGeneratedFiles, emitPackageInfo } from "./emit.js";
import { loadSpecs } from "./spec.js";

/** The spec files the generated layer is built from, oldest api-version first, relative to the repo root. */
const SPEC_FILES = [
  "../shared/spec/Identity/stable/2023-10-01/CommunicationIdentity.json",
  "../shared/spec/Identity/preview/2025-03-02-preview/CommunicationIdentity.json",
];

/** Reads the spec files under `repoRoot` and returns the content of every `src/generated/` file by name. */
export function generateFiles(repoRoot: string): Map<string, string> {
  const files = emitGeneratedFiles(loadSpecs(repoRoot, SPEC_FILES));
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { name: string; version: string };
  files.set("packageInfo.ts", emitPackageInfo(manifest));
  return files;
}
