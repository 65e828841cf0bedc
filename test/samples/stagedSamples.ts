/**
 * A private copy of the sample folders and of the built packages (the SDK and the emulator), so these tests neither see a
 * developer's samples/.env nor break when someone rebuilds dist/ while they run. It lives under the
 * root's node_modules/.cache so the samples resolve dotenv, @azure/* and tsx from the root, as in the repo.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { ensureBuilt } from "../helpers/ensureBuilt.js";
import { findSamples, linkPackage, repoRoot, type Sample } from "../../scripts/runSamples.js";

export interface StagedSamples {
  root: string;
  samples: Sample[];
  find(name: string): Sample;
  remove(): void;
}

const PACKAGE_FILES = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "emulator/dist/index.js", "emulator/dist/index.d.ts"];

export async function stageSamples(): Promise<StagedSamples> {
  ensureBuilt();
  const cache = join(repoRoot, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const root = mkdtempSync(join(cache, "samples-test-"));
  const packageDir = join(root, "package");
  // dist/ may be mid-rebuild by another process: copy until the copy is whole.
  for (let attempt = 0; ; attempt++) {
    rmSync(packageDir, { recursive: true, force: true });
    mkdirSync(packageDir);
    cpSync(join(repoRoot, "package.json"), join(packageDir, "package.json"));
    cpSync(join(repoRoot, "dist"), join(packageDir, "dist"), { recursive: true });
    // The emulator package beside it, as linkPackage expects it in a repository (emulator/).
    mkdirSync(join(packageDir, "emulator"));
    cpSync(join(repoRoot, "emulator", "package.json"), join(packageDir, "emulator", "package.json"));
    cpSync(join(repoRoot, "emulator", "dist"), join(packageDir, "emulator", "dist"), { recursive: true });
    if (PACKAGE_FILES.every((file) => existsSync(join(packageDir, file)))) break;
    if (attempt === 5) throw new Error("dist/ stayed incomplete; run npm run build");
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  for (const language of ["typescript", "javascript"]) {
    const target = join(root, "samples", "v1", language);
    cpSync(join(repoRoot, "samples", "v1", language), target, {
      recursive: true,
      filter: (source) => !source.split(/[\\/]/).includes("node_modules") && basename(source) !== ".env",
    });
    linkPackage(target, packageDir);
  }
  const samples = findSamples(root);
  return {
    root,
    samples,
    find(name) {
      const sample = samples.find((candidate) => candidate.name === name);
      if (!sample) throw new Error(`no sample ${name}`);
      return sample;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** This process's environment without any resource settings, so a sample falls back to its emulator. */
export function environmentWithoutResource(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(COMMUNICATION_|AZURE_)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}
