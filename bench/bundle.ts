// Browser bundle size of the same small app (bench/apps/) built against ours and the official
// package: esbuild, ESM, minified, platform browser; then gzip level 9. Metafiles land in
// bench/.tmp/ so the biggest inputs can be looked up (esbuild's analyzeMetafile or esbuild.github.io/analyze).
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { benchDir, repoRoot } from "./children.js";

export interface BundleSize {
  minifiedBytes: number;
  gzipBytes: number;
  metafilePath: string;
  /** Minified bytes in the output per npm package (or repo path), largest first. */
  byPackage: Array<[string, number]>;
}

/** Groups a metafile output's inputs by the npm package they come from. */
export function bytesByPackage(inputs: Record<string, { bytesInOutput: number }>): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const owner = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.replace(/^(\.\.\/)+/, "");
    totals.set(owner, (totals.get(owner) ?? 0) + bytesInOutput);
  }
  return [...totals].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
}

/**
 * Copies bench/apps/<app>.mjs into an app folder of its own under tmpDir (its own package.json, and
 * node_modules/communication-identity → the package) and returns the copy's path. From inside this
 * repository, "communication-identity" would resolve to the repository itself (a package may import
 * itself by name), not to the package being measured; from the copy, esbuild applies that package's
 * "exports" map and picks the "browser" condition, as an app would.
 */
function stageApp(tmpDir: string, app: string, packageDir: string): string {
  const appDir = join(tmpDir, `app-${app}`);
  const link = join(appDir, "node_modules", "communication-identity");
  mkdirSync(join(appDir, "node_modules"), { recursive: true });
  writeFileSync(join(appDir, "package.json"), JSON.stringify({ name: `bench-app-${app}`, private: true, type: "module" }));
  copyFileSync(join(benchDir, "apps", `${app}.mjs`), join(appDir, `${app}.mjs`));
  rmSync(link, { force: true });
  symlinkSync(packageDir, link, "dir");
  return join(appDir, `${app}.mjs`);
}

/**
 * Bundles bench/apps/<app>.mjs (default: the identity-only app of `which`; "both" uses both of our
 * clients). For "ours", `packageDir` is the package to resolve `communication-identity` to (the run's
 * copy of the build; default: the repo itself).
 */
export async function measureBundle(which: "official" | "ours", tmpDir: string, packageDir = repoRoot, app: string = which): Promise<BundleSize> {
  const outfile = join(tmpDir, `bundle-${app}.js`);
  const result = await build({
    entryPoints: [which === "ours" ? stageApp(tmpDir, app, packageDir) : join(benchDir, "apps", `${app}.mjs`)],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    outfile,
    logLevel: "silent",
  });
  const output = result.outputFiles.find((file) => file.path.endsWith(".js"));
  if (!output) throw new Error(`esbuild produced no JS for ${which}`);
  const metafilePath = join(tmpDir, `bundle-${app}.meta.json`);
  writeFileSync(outfile, output.contents);
  writeFileSync(metafilePath, JSON.stringify(result.metafile));
  return {
    minifiedBytes: output.contents.byteLength,
    gzipBytes: gzipSync(output.contents, { level: 9 }).byteLength,
    metafilePath,
    byPackage: bytesByPackage(Object.values(result.metafile.outputs)[0]?.inputs ?? {}),
  };
}
