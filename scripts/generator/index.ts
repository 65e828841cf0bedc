import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { readGeneratorConfig, requireSpecRoot, type GeneratorConfig } from "./config.js";
import { emitGeneratedFiles, emitPackageInfo } from "./emit.js";
import { emitRouteTable } from "./emitEmulator.js";
import { loadSpecs, type SpecModel } from "./spec.js";

/** The config `npm run generate` reads: the spec files, which are stable, and the default policy. */
export const defaultConfigFile = (repoRoot: string): string => join(repoRoot, "scripts", "generator", "specs.json");

/** Where the generated files go, relative to the repository root. */
export const SDK_OUT = "src/generated";
export const EMULATOR_OUT = "emulator/src/generated";

/** Reads the config and its spec files (failing with what to do when the spec folder is missing). */
export function readSpecs(repoRoot: string, configFile = defaultConfigFile(repoRoot)): { config: GeneratorConfig; spec: SpecModel } {
  const config = readGeneratorConfig(configFile);
  requireSpecRoot(config, relative(repoRoot, config.specRoot).split("\\").join("/") || ".");
  return { config, spec: loadSpecs(config, repoRoot) };
}

/**
 * Every generated file's content by its path relative to the repository root: `src/generated/*`
 * (the client's layer) and `emulator/src/generated/routeTable.ts` (the emulator's route table).
 */
export function generateFiles(repoRoot: string, configFile = defaultConfigFile(repoRoot)): Map<string, string> {
  const { spec } = readSpecs(repoRoot, configFile);
  const files = new Map<string, string>();
  for (const [name, content] of emitGeneratedFiles(spec)) files.set(`${SDK_OUT}/${name}`, content);
  const manifestFile = join(repoRoot, "package.json");
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { name: string; version: string };
    files.set(`${SDK_OUT}/packageInfo.ts`, emitPackageInfo(manifest));
  }
  files.set(`${EMULATOR_OUT}/routeTable.ts`, emitRouteTable(spec));
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
