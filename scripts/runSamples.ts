/**
 * `npm run samples`: the main job. Builds the package when dist/ is missing or older than src/, makes
 * `communication-identity` resolvable from each sample folder, runs every TypeScript and JavaScript
 * sample (two at a time), prints one line per sample and exits 1 when any failed.
 *
 * Usage: npm run samples [-- <filter>...]   (runs only samples whose path contains a filter)
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync, unlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The workspace's packages a sample folder depends on, by name and folder under the repo root (the emulator's when present). */
const PACKAGES = [
  { name: "communication-identity", folder: ".", optional: false },
  { name: "communication-identity-emulator", folder: "emulator", optional: true },
];
/** The samples' shared helper: imported by every sample, not run on its own. */
const HELPER_NAMES = new Set(["env.ts", "env.js"]);
const BUILD_OUTPUTS = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "emulator/dist/index.js", "emulator/dist/index.d.ts", "emulator/dist/cli.js"];
const SOURCE_FOLDERS = ["src", "emulator/src"];
const SAMPLE_TIMEOUT_MS = 30_000;
const SKIP_MARKER = /^Skipped:/m;
/** A whole JWT (header.payload.signature): samples print a token's first characters only. */
const FULL_TOKEN = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/;

export type SampleLanguage = "typescript" | "javascript";

export interface Sample {
  language: SampleLanguage;
  /** e.g. `typescript/createUser.ts` */
  name: string;
  /** The sample folder (cwd of the run: its `.env` is read from there). */
  folder: string;
  file: string;
}

export interface SampleResult {
  sample: Sample;
  status: "passed" | "skipped" | "failed";
  durationMs: number;
  /** The last line the sample printed, or why it failed. */
  summary: string;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
}

/** Every sample file, TypeScript first, in name order. */
export function findSamples(root = repoRoot): Sample[] {
  const layouts: Array<{ language: SampleLanguage; folder: string; sources: string; extension: string }> = [
    { language: "typescript", folder: join(root, "samples/v1/typescript"), sources: "src", extension: ".ts" },
    { language: "javascript", folder: join(root, "samples/v1/javascript"), sources: ".", extension: ".js" },
  ];
  return layouts.flatMap(({ language, folder, sources, extension }) =>
    readdirSync(join(folder, sources))
      .filter((name) => name.endsWith(extension) && !HELPER_NAMES.has(name))
      .sort()
      .map((name) => ({ language, name: `${language}/${name}`, folder, file: join(folder, sources, name) })),
  );
}

/** True when every build output exists and none is older than the newest file under the packages' src/. */
export function isBuildCurrent(root = repoRoot): boolean {
  const outputs = BUILD_OUTPUTS.map((path) => join(root, path));
  if (!outputs.every((path) => existsSync(path))) return false;
  const oldestOutput = Math.min(...outputs.map((path) => statSync(path).mtimeMs));
  const sources = SOURCE_FOLDERS.map((folder) => join(root, folder)).filter((folder) => existsSync(folder));
  return Math.max(...sources.map(newestMtime)) <= oldestOutput;
}

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function buildIfNeeded(root = repoRoot, log: (line: string) => void = console.log): void {
  if (isBuildCurrent(root)) return;
  log("Building the packages (dist/ is missing or older than src/)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const build = spawnSync(npm, ["run", "build"], { cwd: root, encoding: "utf8", shell: process.platform === "win32" });
  if (build.status !== 0) {
    throw new Error(`npm run build failed:\n${`${build.stdout ?? ""}${build.stderr ?? ""}`.trim() || String(build.error)}`);
  }
}

/**
 * Makes `import "communication-identity"` and `import "communication-identity-emulator"` work in a
 * sample folder the way its `file:` dependencies would after `npm install` there: symlinks
 * node_modules/<name> → the package's folder in this repository. Their own dependencies (and the
 * samples' dotenv, @azure/identity) then resolve from the root's node_modules, so nothing is
 * fetched. NODE_PATH would not do: ES modules ignore it.
 */
export function linkPackage(sampleFolder: string, root = repoRoot): void {
  for (const { name, folder, optional } of PACKAGES) {
    const target = join(root, folder);
    if (!optional || existsSync(join(target, "package.json"))) linkOne(join(sampleFolder, "node_modules", name), target, root);
  }
}

function linkOne(link: string, target: string, root: string): void {
  const targetReal = realpathSync(target);
  if (existsSync(link) && realpathSync(link) === targetReal) return;
  try {
    if (lstatSync(link).isSymbolicLink()) unlinkSync(link); // dangling or pointing elsewhere
    else throw new Error(`${relative(root, link)} exists and is not a link to this repository; remove it and rerun.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dirname(link), { recursive: true });
  try {
    symlinkSync(relative(dirname(link), target) || ".", link, "junction");
  } catch (error) {
    // Another run linked it in the meantime: fine if it points here.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST" || realpathSync(link) !== targetReal) throw error;
  }
}

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface RunOptions {
  /** Environment of the sample process; default: this process's. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs one sample in its own process, from its folder, and judges the outcome. */
export function runSample(sample: Sample, options: RunOptions = {}): Promise<SampleResult> {
  const env = { ...(options.env ?? process.env), FORCE_COLOR: "0" };
  const args = sample.language === "typescript" ? ["--import", tsxLoader, sample.file] : [sample.file];
  const timeoutMs = options.timeoutMs ?? SAMPLE_TIMEOUT_MS;
  const started = performance.now();
  return new Promise((resolveResult) => {
    const child = spawn(process.execPath, args, { cwd: sample.folder, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const finish = (exitProblem: string | undefined) => {
      clearTimeout(timer);
      const durationMs = performance.now() - started;
      const problem = exitProblem ?? findLeak(output, env);
      const lastLine = stdout.trim().split("\n").at(-1)?.trim() ?? "";
      const status = problem ? "failed" : SKIP_MARKER.test(stdout) ? "skipped" : "passed";
      resolveResult({ sample, status, durationMs, summary: problem ?? lastLine, output });
    };
    child.on("error", (error) => finish(`could not start: ${error.message}`));
    child.on("close", (code, signal) => {
      if (timedOut) finish(`timed out after ${timeoutMs / 1000}s`);
      else if (code !== 0) finish(`exited with ${code ?? signal}`);
      else finish(undefined);
    });
  });
}

/** Samples must never print a secret: a full token, the access key or the connection string. */
export function findLeak(output: string, env: NodeJS.ProcessEnv): string | undefined {
  if (FULL_TOKEN.test(output)) return "printed a whole access token";
  for (const name of ["COMMUNICATION_CONNECTION_STRING", "COMMUNICATION_ACCESS_KEY", "COMMUNICATION_TEAMS_USER_AAD_TOKEN", "AZURE_CLIENT_SECRET"]) {
    const value = env[name]?.trim();
    if (value && output.includes(value)) return `printed ${name}`;
  }
  const key = /accesskey=(.+)$/i.exec(env.COMMUNICATION_CONNECTION_STRING?.trim() ?? "")?.[1];
  if (key && output.includes(key)) return "printed the access key";
  return undefined;
}

export interface RunAllOptions extends RunOptions {
  concurrency?: number;
  onResult?: (result: SampleResult) => void;
}

/** Runs samples with limited parallelism; results come back in the samples' order. */
export async function runSamples(samples: readonly Sample[], options: RunAllOptions = {}): Promise<SampleResult[]> {
  const results: SampleResult[] = new Array(samples.length);
  let next = 0;
  const worker = async () => {
    while (next < samples.length) {
      const index = next++;
      results[index] = await runSample(samples[index], options);
      options.onResult?.(results[index]);
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 2, samples.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

export function formatResult(result: SampleResult): string {
  const mark = { passed: "✔", skipped: "-", failed: "✘" }[result.status];
  const seconds = `${(result.durationMs / 1000).toFixed(1)}s`.padStart(5);
  const summary = result.summary.length > 110 ? `${result.summary.slice(0, 109)}…` : result.summary;
  return `${mark} ${result.sample.name.padEnd(48)} ${seconds}  ${summary}`;
}

/** The `npm run samples` command: returns the exit code (1 when any sample failed). */
export async function main(filters: string[], root = repoRoot, log: (line: string) => void = console.log): Promise<number> {
  const started = performance.now();
  buildIfNeeded(root, log);
  const samples = findSamples(root).filter((sample) => filters.length === 0 || filters.some((filter) => sample.name.includes(filter)));
  if (samples.length === 0) {
    log(`No sample matches ${filters.join(", ")}.`);
    return 1;
  }
  for (const folder of new Set(samples.map((sample) => sample.folder))) linkPackage(folder, root);

  const configured = ["COMMUNICATION_CONNECTION_STRING", "COMMUNICATION_ENDPOINT"].filter((name) => process.env[name]?.trim());
  log(
    configured.length > 0
      ? `Running ${samples.length} samples against the resource in ${configured.join(" / ")}.`
      : `Running ${samples.length} samples; with no COMMUNICATION_* settings (or .env) each one starts the embedded emulator.`,
  );
  const concurrency = Number(process.env.SAMPLES_CONCURRENCY) || Math.min(2, availableParallelism());
  const results = await runSamples(samples, {
    concurrency,
    onResult: (result) => {
      log(formatResult(result));
      if (result.status === "failed") log(indent(tail(result.output, 20)));
    },
  });
  const count = (status: SampleResult["status"]) => results.filter((result) => result.status === status).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(`${results.length} samples: ${count("passed")} passed, ${count("skipped")} skipped, ${count("failed")} failed (${seconds}s).`);
  return count("failed") > 0 ? 1 : 0;
}

const tail = (text: string, lines: number) => text.trimEnd().split("\n").slice(-lines).join("\n");
const indent = (text: string) => text.replace(/^/gm, "    │ ");

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`samples: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
