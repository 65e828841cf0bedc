import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

export type VersionStatus = "stable" | "preview";

/** One api-version the generator reads: its name, whether it is stable, and its spec file (absolute). */
export interface VersionEntry {
  readonly version: string;
  readonly status: VersionStatus;
  readonly file: string;
}

/** The generator's input, as read from `scripts/generator/specs.json` (or a test's fixture config). */
export interface GeneratorConfig {
  /** The config file itself, for messages. */
  readonly configFile: string;
  /** Absolute folder the spec files are read from. */
  readonly specRoot: string;
  /** Sorted by version name (plain code-unit order), never by their order in the file. */
  readonly versions: readonly VersionEntry[];
  /** Statuses to try in order; within one, the newest version that has everything a call sends wins. */
  readonly defaultPreference: readonly VersionStatus[];
}

/** A problem with the generator's input that a user can fix; printed without a stack trace. */
export class GeneratorInputError extends Error {
  override name = "GeneratorInputError";
}

const STATUSES: readonly VersionStatus[] = ["stable", "preview"];
// Versions go into URLs and TypeScript names unescaped: keep them to the characters the service uses.
const VERSION_NAME = /^\d{4}-\d{2}-\d{2}(-[a-z][a-z0-9]*)?$/;

/** Plain code-unit comparison: the same order on every machine and in every locale. */
export const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Reads and checks a generator config; every spec path in it is resolved against the config's folder. */
export function readGeneratorConfig(configFile: string): GeneratorConfig {
  const fail = (problem: string): never => {
    throw new GeneratorInputError(`${configFile}: ${problem}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configFile, "utf8"));
  } catch (error) {
    return fail(`cannot read the generator config (${(error as Error).message})`);
  }
  const config = raw as { specRoot?: unknown; versions?: unknown; defaultPreference?: unknown };
  if (typeof config.specRoot !== "string") fail('"specRoot" must be a string (a folder relative to this file)');
  if (!Array.isArray(config.versions) || config.versions.length === 0) fail('"versions" must be a non-empty array');
  const specRoot = resolve(dirname(configFile), config.specRoot as string);
  const seen = new Set<string>();
  const versions = (config.versions as unknown[]).map((entry, index): VersionEntry => {
    const { version, status, file } = (entry ?? {}) as Record<string, unknown>;
    const where = `versions[${index}]`;
    if (typeof version !== "string" || !VERSION_NAME.test(version)) fail(`${where}.version must look like 2026-09-23 or 2025-03-02-preview`);
    if (!STATUSES.includes(status as VersionStatus)) fail(`${where}.status must be "stable" or "preview"`);
    if (typeof file !== "string") fail(`${where}.file must be a path relative to specRoot`);
    if ((status === "preview") !== (version as string).includes("-preview")) {
      fail(`${where}: ${String(version)} is marked ${String(status)}, but its name says otherwise`);
    }
    if (seen.has(version as string)) fail(`${where}: ${String(version)} is listed twice`);
    seen.add(version as string);
    return { version: version as string, status: status as VersionStatus, file: resolve(specRoot, file as string) };
  });
  const preference = config.defaultPreference;
  if (!Array.isArray(preference) || preference.length === 0 || preference.some((s) => !STATUSES.includes(s as VersionStatus))) {
    fail('"defaultPreference" must be a non-empty array of "stable" and "preview"');
  }
  return {
    configFile,
    specRoot,
    versions: versions.sort((a, b) => compareCodeUnits(a.version, b.version)),
    defaultPreference: preference as VersionStatus[],
  };
}

/** Fails with what to do when the spec folder is missing (a clone of the repository has none). */
export function requireSpecRoot(config: GeneratorConfig, displayRoot: string): void {
  if (existsSync(config.specRoot)) return;
  throw new GeneratorInputError(
    [
      `The service's OpenAPI files were not found: ${displayRoot} does not exist.`,
      `The generator reads them from there (set in ${config.configFile}, "specRoot").`,
      "Get them by checking out the spec next to this repository, so that it holds Identity/stable/<version>/ and",
      "Identity/preview/<version>/ (the azure-rest-api-specs folder specification/communication/data-plane), then run `npm run generate` again.",
      "src/generated/ and emulator/src/generated/ are committed, so building and testing need no spec.",
    ].join("\n"),
  );
}
