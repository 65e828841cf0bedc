// `npm run bench`: measures ours, the official @azure/communication-identity@1.3.1 and a hand-written
// node:http floor side by side, interleaved (A B C A B C…) so machine drift hits all alike, then
// prints a table and writes bench/.tmp/RESULTS.md (untracked); `-- --write-results` writes the committed
// bench/RESULTS.md instead. `npm run bench -- --quick` is the CI smoke: tiny counts, one round, targets
// not judged, and a non-zero exit if any measurement failed to run (add --require-built in CI, where
// dist/ is built first, so a missing build counts as a failure).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { measureBundle } from "./bundle.js";
import { measureInstall, packPackage } from "./installSize.js";
import { median } from "./stats.js";
import { snapshotOurBuild, type OurBuildResult } from "./snapshot.js";
import {
  benchDir,
  repoRoot,
  runNodeChild,
  startCannedServerChild,
  startEmulatorChild,
  startEmulatorDriverChild,
  type EmulatorChild,
  type EmulatorDriverChild,
} from "./children.js";
import { createFloorClient, parseBenchConnectionString } from "./floorClient.mjs";
import { CLIENT_COLUMNS, renderMarkdown, renderTable, type Cell, type ClientName, type Figure } from "./report.js";
import { Collector } from "./collector.js";
import { evaluateTargets } from "./targets.js";
import { parseArgs, type Plan } from "./plan.js";

const OPS = ["createUserAndToken", "getToken"] as const;
// The targets are judged at 16 and 32 in flight; 1 in flight shows the latency-bound cost.
const IN_FLIGHT = [1, 16, 32] as const;
const EMULATOR_IN_FLIGHT = 64;
const EMULATOR_KEYS = [
  "emulator.throughput.ours",
  "emulator.p99.ours",
  "emulator.cpu.ours",
  "emulator.capacity.ours",
  "emulator.busy.ours",
  "emulator.driverBusy.ours",
];

/** Round r starts with a different client so no client is always first after the previous one's load. */
function rotated<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

interface ThroughputPhase {
  inFlight: number;
  cpuUsPerOp: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** What every client measurement needs: where the canned server is, the key, and whether ours is built. */
interface ClientBench {
  plan: Plan;
  endpoint: string;
  env: Record<string, string>;
  secrets: string[];
  /** Why ours cannot run, when it cannot. */
  ours: string | undefined;
  data: Collector;
  log: (line: string) => void;
}

const worker = join(benchDir, "clientWorker.mjs");
const coldStart = join(benchDir, "coldStart.mjs");
const emulatorColdStart = join(benchDir, "emulatorColdStart.mjs");
/** Issue 11: the emulator's import + HTTP start + first answered signed request, at most this × a minimal node:http server's. */
const EMULATOR_COLD_START_LIMIT = 1.5;

/** Client CPU per op, ops/s and latency: one fresh child per client, op and round. */
async function measureThroughput({ plan, endpoint, env, secrets, ours, data, log }: ClientBench) {
  for (let round = 0; round < plan.rounds; round++) {
    log(`round ${round + 1}/${plan.rounds}: CPU, ops/s, latency`);
    for (const op of OPS) {
      for (const which of rotated(CLIENT_COLUMNS, round)) {
        const keys = IN_FLIGHT.map((inFlight) => `${op}.${inFlight}.${which}`);
        const metricKeys = keys.flatMap((key) => ["cpu", "ops", "p50", "p99"].map((metric) => `${metric}.${key}`));
        if (which === "ours" && ours) {
          for (const key of metricKeys) data.notBuilt(key, ours);
          continue;
        }
        // Highest concurrency first: it finishes the warm-up's job before the latency-bound phase.
        const phases = [...IN_FLIGHT].reverse().map((inFlight) => ({ inFlight, ops: plan.opsAt[inFlight] }));
        const config = { which, op, warmup: plan.warmupOps, phases, endpoint };
        try {
          const { value } = await runNodeChild<{ phases: ThroughputPhase[] }>(worker, [JSON.stringify(config)], {
            env,
            secrets,
            timeoutMs: 90_000,
          });
          for (const phase of value.phases) {
            const key = `${op}.${phase.inFlight}.${which}`;
            data.add(`cpu.${key}`, phase.cpuUsPerOp);
            data.add(`ops.${key}`, phase.opsPerSec);
            data.add(`p50.${key}`, phase.p50Ms);
            data.add(`p99.${key}`, phase.p99Ms);
          }
        } catch (error) {
          for (const key of metricKeys) data.fail(key, (error as Error).message);
        }
      }
    }
  }
}

/** Heap growth over plan.heapOps ops, one fresh --expose-gc child per client and round. */
async function measureHeap({ plan, endpoint, env, secrets, ours, data, log }: ClientBench) {
  for (let round = 0; round < plan.heapRounds; round++) {
    log(`round ${round + 1}/${plan.heapRounds}: heap after ${plan.heapOps} ops`);
    for (const which of rotated(CLIENT_COLUMNS, round)) {
      const key = `heap.growth.${which}`;
      if (which === "ours" && ours) {
        data.notBuilt(key, ours);
        continue;
      }
      const config = { which, mode: "heap", ops: plan.heapOps, warmup: plan.heapWarmupOps, endpoint };
      try {
        const { value } = await runNodeChild<{ heapGrowth: number }>(worker, [JSON.stringify(config)], {
          nodeArgs: ["--expose-gc"],
          env,
          secrets,
          timeoutMs: 90_000,
        });
        data.add(key, value.heapGrowth / 1024);
      } catch (error) {
        data.fail(key, (error as Error).message);
      }
    }
  }
}

/** Bare import, and spawn → first successful response, in fresh plain-node processes. */
async function measureColdStart({ plan, endpoint, env, secrets, ours, data, log }: ClientBench) {
  log(`cold start: ${plan.coldRuns} fresh processes per client and mode`);
  for (let run = 0; run < plan.coldRuns; run++) {
    for (const which of rotated(CLIENT_COLUMNS, run)) {
      if (which === "ours" && ours) {
        data.notBuilt("cold.import.ours", ours);
        data.notBuilt("cold.firstResponse.ours", ours);
        continue;
      }
      try {
        const { value } = await runNodeChild<{ importMs: number }>(coldStart, [which, "import"], { env, secrets, timeoutMs: 30_000 });
        data.add(`cold.import.${which}`, value.importMs);
      } catch (error) {
        data.fail(`cold.import.${which}`, (error as Error).message);
      }
      try {
        const { firstLineMs } = await runNodeChild(coldStart, [which, "first-response", endpoint], { env, secrets, timeoutMs: 30_000 });
        data.add(`cold.firstResponse.${which}`, firstLineMs);
      } catch (error) {
        data.fail(`cold.firstResponse.${which}`, (error as Error).message);
      }
    }
  }
}

async function measureBundles(tmpDir: string, ourBuild: OurBuildResult, data: Collector, log: (line: string) => void): Promise<string[]> {
  const composition: string[] = [];
  log("browser bundles (esbuild, ESM, minified, gzip -9)");
  for (const which of ["official", "ours"] as const) {
    const missing =
      which !== "ours" ? undefined : !ourBuild.ok ? ourBuild.reason : ourBuild.build.hasBrowserBuild ? undefined : "not built (dist/browser/index.js missing)";
    if (missing) {
      data.notBuilt("bundle.min.ours", missing);
      data.notBuilt("bundle.gzip.ours", missing);
      continue;
    }
    try {
      const size = await measureBundle(which, tmpDir, ourBuild.ok ? ourBuild.build.packageDir : undefined);
      data.add(`bundle.min.${which}`, size.minifiedBytes);
      data.add(`bundle.gzip.${which}`, size.gzipBytes);
      const parts = size.byPackage.map(([name, bytes]) => `${name} ${bytes.toLocaleString("en-US")}`).join(", ");
      composition.push(`- ${which}: ${size.minifiedBytes.toLocaleString("en-US")} B minified = ${parts} (metafile: bench/.tmp/bundle-${which}.meta.json)`);
    } catch (error) {
      data.fail(`bundle.min.${which}`, (error as Error).message.split("\n")[0]);
      data.fail(`bundle.gzip.${which}`, (error as Error).message.split("\n")[0]);
    }
  }
  // Reported beside the identity-only figure, not judged: what an app using both of our clients ships.
  if (!ourBuild.ok || !ourBuild.build.hasBrowserBuild) {
    const reason = ourBuild.ok ? "not built (dist/browser/index.js missing)" : ourBuild.reason;
    data.notBuilt("bundle.bothGzip.ours", reason);
    data.notBuilt("bundle.bothMin.ours", reason);
    return composition;
  }
  try {
    const size = await measureBundle("ours", tmpDir, ourBuild.build.packageDir, "both");
    data.add("bundle.bothMin.ours", size.minifiedBytes);
    data.add("bundle.bothGzip.ours", size.gzipBytes);
    const parts = size.byPackage.map(([name, bytes]) => `${name} ${bytes.toLocaleString("en-US")}`).join(", ");
    composition.push(`- ours, both clients: ${size.minifiedBytes.toLocaleString("en-US")} B minified = ${parts} (metafile: bench/.tmp/bundle-both.meta.json)`);
  } catch (error) {
    const message = (error as Error).message;
    // Until the access client is exported the app cannot bundle; that is a missing build, not a failure.
    const missing = /CommunicationAccessClient/.test(message) && /No matching export|not exported/i.test(message);
    for (const key of ["bundle.bothMin.ours", "bundle.bothGzip.ours"]) {
      if (missing) data.notBuilt(key, "CommunicationAccessClient is not exported yet");
      else data.fail(key, message.split("\n")[0]);
    }
  }
  return composition;
}

/**
 * Spawn → first answered signed request for the emulator over HTTP (fresh process: import, start,
 * one signed createUser) against a minimal node:http server doing the same, interleaved; the ratio is
 * the median of the per-run ratios. Returns the report's lines.
 */
async function measureEmulatorColdStart(plan: Plan, ourBuild: OurBuildResult, data: Collector, log: (line: string) => void): Promise<string[]> {
  const entry = ourBuild.ok ? ourBuild.build.emulatorEntry : undefined;
  if (!entry) return [`- not measured: ${ourBuild.ok ? "not built (emulator/dist/index.js missing)" : ourBuild.reason}`];
  log(`emulator cold start: ${plan.coldRuns} fresh processes each, against a minimal node:http server`);
  const times: Record<"emulator" | "node-http", number[]> = { emulator: [], "node-http": [] };
  const ratios: number[] = [];
  try {
    for (let run = 0; run < plan.coldRuns; run++) {
      const measured: Partial<Record<"emulator" | "node-http", number>> = {};
      for (const which of rotated(["emulator", "node-http"] as const, run)) {
        const args = which === "emulator" ? [which, entry] : [which];
        const { firstLineMs } = await runNodeChild(emulatorColdStart, args, { env: {}, secrets: [], timeoutMs: 30_000 });
        measured[which] = firstLineMs;
        times[which].push(firstLineMs);
      }
      ratios.push(measured.emulator! / measured["node-http"]!);
    }
  } catch (error) {
    data.failures.push(`emulator cold start: ${(error as Error).message.split("\n")[0]}`);
    return [`- failed: ${(error as Error).message.split("\n")[0]}`];
  }
  const ratio = median(ratios);
  const verdict = plan.quick ? "NOT JUDGED (--quick)" : ratio <= EMULATOR_COLD_START_LIMIT ? "PASS" : "MISS";
  const lines = [
    `- emulator: ${median(times.emulator).toFixed(1)} ms median (min ${Math.min(...times.emulator).toFixed(1)}, max ${Math.max(...times.emulator).toFixed(1)})`,
    `- minimal node:http server: ${median(times["node-http"]).toFixed(1)} ms median (min ${Math.min(...times["node-http"]).toFixed(1)}, max ${Math.max(...times["node-http"]).toFixed(1)})`,
    `- ratio emulator÷node:http: ${ratio.toFixed(2)}× (per-run ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}); target ≤ ${EMULATOR_COLD_START_LIMIT}×: ${verdict}`,
  ];
  for (const line of lines) log(line.slice(2));
  return lines;
}

/**
 * The SDK's install (npm pack, installed into an empty app) against the official 1.3.1's: it must not
 * install more packages or more bytes, nor any certificate library. Returns the report's lines.
 */
function measureInstalls(tmpDir: string, data: Collector, log: (line: string) => void): string[] {
  log("install size (npm pack, installed into an empty app)");
  try {
    const tarball = packPackage(repoRoot, join(tmpDir, "install", "packs"));
    const ours = measureInstall(tarball, join(tmpDir, "install", "ours"));
    const official = measureInstall("@azure/communication-identity@1.3.1", join(tmpDir, "install", "official"));
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    const lines = [
      `- ours: ${ours.packages} packages, ${mib(ours.bytes)}${ours.certificatePackages.length ? `, certificate packages: ${ours.certificatePackages.join(", ")}` : ", no certificate library"}`,
      `- official 1.3.1: ${official.packages} packages, ${mib(official.bytes)}`,
      `- ratio ours÷official: ${(ours.packages / official.packages).toFixed(2)}× packages, ${(ours.bytes / official.bytes).toFixed(2)}× bytes`,
    ];
    for (const line of lines) log(line.slice(2));
    if (ours.packages > official.packages || ours.bytes > official.bytes || ours.certificatePackages.length > 0) {
      data.failures.push(`install: ours must install at most the official's packages and bytes and no certificate library (${lines[0].slice(2)}; ${lines[1].slice(2)})`);
    }
    return lines;
  } catch (error) {
    data.failures.push(`install: ${(error as Error).message.split("\n")[0]}`);
    return [`- failed: ${(error as Error).message.split("\n")[0]}`];
  }
}

/**
 * Drives the emulator at 64 in flight from bench/emulatorDriver.mjs, a child process on the other
 * core (signed issueAccessToken, the emulator's key); the floor client checks the first answer.
 */
async function measureEmulator(plan: Plan, pins: Pins, ourBuild: OurBuildResult, data: Collector, log: (line: string) => void) {
  const emulatorEntry = ourBuild.ok ? ourBuild.build.emulatorEntry : undefined;
  if (!emulatorEntry) {
    const reason = ourBuild.ok ? "not built (emulator/dist/index.js missing)" : ourBuild.reason;
    for (const key of EMULATOR_KEYS) data.notBuilt(key, reason);
    return;
  }
  log(`emulator: ${EMULATOR_IN_FLIGHT} in flight, ${plan.emulatorWindows} windows of ${plan.emulatorWindowMs} ms`);
  let emulator: EmulatorChild | undefined;
  let driver: EmulatorDriverChild | undefined;
  try {
    emulator = await startEmulatorChild(emulatorEntry, pins.emulator);
    const { endpoint, accessKey } = parseBenchConnectionString(emulator.connectionString);
    const client = createFloorClient({ endpoint, accessKey, apiVersion: "2025-03-02-preview" });
    const user = await client.createUser();
    const first = await client.getToken(user, ["chat", "voip"]);
    client.close();
    if (typeof first.token !== "string" || Number.isNaN(first.expiresOn.getTime())) throw new Error("emulator answered an unexpected token");

    driver = await startEmulatorDriverChild(emulator.connectionString, user.communicationUserId, EMULATOR_IN_FLIGHT, pins.driver);
    const window = async (durationMs: number) => {
      const result = await driver!.window(durationMs);
      if (result.failures > 0 || result.count === 0) throw new Error(`${result.failures} of ${result.failures + result.count} requests failed`);
      return result;
    };
    await window(plan.emulatorWarmupMs);
    for (let index = 0; index < plan.emulatorWindows; index++) {
      const cpuBefore = await emulator.cpuMicros();
      const { count, p99, wallMs, cpuMicros } = await window(plan.emulatorWindowMs);
      const emulatorCpu = (await emulator.cpuMicros()) - cpuBefore;
      const cpuPerRequest = emulatorCpu / count;
      // How busy each side was: near 100% for the emulator means it was the limit; for the driver, it was.
      data.add("emulator.busy.ours", emulatorCpu / 10 / wallMs);
      data.add("emulator.driverBusy.ours", cpuMicros / 10 / wallMs);
      data.add("emulator.throughput.ours", (count * 1000) / wallMs);
      data.add("emulator.p99.ours", p99);
      data.add("emulator.cpu.ours", cpuPerRequest);
      data.add("emulator.capacity.ours", 1e6 / cpuPerRequest);
    }
  } catch (error) {
    const secrets = emulator ? [parseBenchConnectionString(emulator.connectionString).accessKey] : [];
    const reason = ((error as Error).message ?? String(error)).split(secrets[0] || "\u0000").join("<redacted>");
    for (const key of EMULATOR_KEYS) data.fail(key, reason);
  } finally {
    await driver?.stop();
    await emulator?.stop();
  }
}

function figure(data: Collector, id: string, section: string, name: string, unit: string, digits: number, only?: ClientName[]): Figure {
  const cells = Object.fromEntries(
    CLIENT_COLUMNS.map((client) => [client, only && !only.includes(client) ? { status: "n/a" } : data.cell(`${id}.${client}`)]),
  ) as Record<ClientName, Cell>;
  return { id, section, name, unit, digits, cells };
}

export function buildFigures(data: Collector, plan: Plan): Figure[] {
  const figures: Figure[] = [];
  for (const op of OPS) {
    for (const inFlight of IN_FLIGHT) {
      const section = `${op}, ${inFlight} in flight (canned server)`;
      figures.push(figure(data, `cpu.${op}.${inFlight}`, section, "client CPU per op", "µs", 0));
      figures.push(figure(data, `ops.${op}.${inFlight}`, section, "throughput", "ops/s", 0));
      figures.push(figure(data, `p50.${op}.${inFlight}`, section, "latency p50", "ms", 2));
      figures.push(figure(data, `p99.${op}.${inFlight}`, section, "latency p99", "ms", 2));
    }
  }
  figures.push(figure(data, "bundle.min", "browser bundle of the same small app (identity client only)", "minified", "B", 0, ["official", "ours"]));
  figures.push(figure(data, "bundle.gzip", "browser bundle of the same small app (identity client only)", "gzip -9", "B", 0, ["official", "ours"]));
  figures.push(figure(data, "bundle.bothMin", "browser bundle of an app using both clients (ours only)", "minified", "B", 0, ["ours"]));
  figures.push(figure(data, "bundle.bothGzip", "browser bundle of an app using both clients (ours only)", "gzip -9", "B", 0, ["ours"]));
  figures.push(figure(data, "cold.import", "cold start (fresh processes)", "bare import", "ms", 1));
  figures.push(figure(data, "cold.firstResponse", "cold start (fresh processes)", "process start → first response", "ms", 1));
  figures.push(figure(data, "heap.growth", "memory", `heap growth after ${plan.heapOps.toLocaleString("en-US")} ops (--expose-gc)`, "KB", 0));
  figures.push(figure(data, "emulator.throughput", "emulator (ours column), 64 in flight, one core", "signed req/s", "req/s", 0, ["ours"]));
  figures.push(figure(data, "emulator.p99", "emulator (ours column), 64 in flight, one core", "p99 latency", "ms", 2, ["ours"]));
  figures.push(figure(data, "emulator.cpu", "emulator (ours column), 64 in flight, one core", "emulator CPU per request", "µs", 0, ["ours"]));
  figures.push(
    figure(data, "emulator.capacity", "emulator (ours column), 64 in flight, one core", "capacity of one free core (10⁶ ÷ CPU per request)", "req/s", 0, ["ours"]),
  );
  figures.push(figure(data, "emulator.busy", "emulator (ours column), 64 in flight, one core", "emulator process busy (CPU ÷ wall)", "%", 0, ["ours"]));
  figures.push(figure(data, "emulator.driverBusy", "emulator (ours column), 64 in flight, one core", "load driver busy (CPU ÷ wall)", "%", 0, ["ours"]));
  return figures;
}

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

/** taskset prefixes: the emulator on core 0, its load driver on core 1 (none when taskset or a 2nd core is missing). */
interface Pins {
  emulator: string[];
  driver: string[];
}

function taskset(): Pins {
  try {
    execFileSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
  } catch {
    return { emulator: [], driver: [] };
  }
  return { emulator: ["taskset", "-c", "0"], driver: os.availableParallelism() > 1 ? ["taskset", "-c", "1"] : [] };
}

async function main() {
  const plan = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const log = (line: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`);
  const tmpDir = join(benchDir, ".tmp");
  mkdirSync(tmpDir, { recursive: true });
  const data = new Collector(plan.requireBuilt);
  // A fresh random key per run: the canned server does not verify it, the clients still sign with it.
  const accessKey = randomBytes(32).toString("base64");
  const pins = taskset();

  log("copying dist/ (ours) so a rebuild during the run cannot break it");
  const ourBuild = await snapshotOurBuild(tmpDir);
  if (!ourBuild.ok) log(`ours: ${ourBuild.reason}`);
  const server = await startCannedServerChild();
  try {
    const env: Record<string, string> = { BENCH_ACCESS_KEY: accessKey };
    if (ourBuild.ok) env.BENCH_OURS_ENTRY = ourBuild.build.nodeEntry;
    const bench: ClientBench = {
      plan,
      endpoint: `http://127.0.0.1:${server.port}/`,
      env,
      secrets: [accessKey],
      ours: ourBuild.ok ? undefined : ourBuild.reason,
      data,
      log,
    };
    await measureThroughput(bench);
    await measureHeap(bench);
    await measureColdStart(bench);
  } finally {
    await server.stop();
  }
  const bundleComposition = await measureBundles(tmpDir, ourBuild, data, log);
  const installLines = ourBuild.ok ? measureInstalls(tmpDir, data, log) : [`- not measured: ${ourBuild.reason}`];
  await measureEmulator(plan, pins, ourBuild, data, log);
  const emulatorColdStartLines = await measureEmulatorColdStart(plan, ourBuild, data, log);

  const figures = buildFigures(data, plan);
  // A smoke run's counts are too small to judge: say so rather than print PASS/MISS that read like real results.
  const targets = evaluateTargets(figures).map((target) =>
    plan.quick && (target.verdict === "PASS" || target.verdict === "MISS") ? { ...target, verdict: "NOT JUDGED" as const } : target,
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = os.cpus();
  const args = process.argv.slice(2);
  const command = `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`;
  const environment: Array<[string, string]> = [
    ["date", startedAt.toISOString()],
    ["command", command],
    ["machine", `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`],
    ["Node", process.version],
    ["commit", gitCommit()],
    ["ours", ourBuild.ok ? `copy of dist/ built ${ourBuild.build.builtAt.toISOString()}` : ourBuild.reason],
    ["load average (1 min) before → after", `${loadBefore[0].toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`],
    ["rounds", `${plan.rounds} (medians; min–max in brackets), heap ${plan.heapRounds}, cold start ${plan.coldRuns} processes per figure`],
    ["ops per child", `warm-up ${plan.warmupOps} at 32 in flight, then ${plan.opsAt[32]} measured at 32 in flight, ${plan.opsAt[16]} at 16, then ${plan.opsAt[1]} at 1; heap: ${plan.heapOps} ops`],
    ["duration", `${elapsed.toFixed(0)} s`],
  ];
  const notes = [
    "CPU per op is process.cpuUsage() (user + system, all threads of the client process) over the measured ops divided by their count; the canned server runs in another process and is not counted.",
    "Each figure for each client comes from a fresh child process per round; clients are interleaved within a round and the starting client rotates between rounds.",
    "The floor is bench/floorClient.mjs: node:http keep-alive agent + node:crypto HMAC-SHA256, same wire and signing, no pipeline.",
    "Cold start: bare import is timed inside the child around `await import()`; process start → first response is timed by the parent from spawn to the child's line after its first successful createUserAndToken.",
    "Heap: node --expose-gc, warm-up, gc(), heapUsed, ops alternating createUserAndToken/getToken at 32 in flight, gc(), heapUsed.",
    `Emulator: emulator/dist in its own process${pins.emulator.length ? " pinned to one core with taskset -c 0" : ""}, driven by bench/emulatorDriver.mjs in another process${pins.driver.length ? " pinned to the other core (taskset -c 1)" : ""}: signed issueAccessToken, 64 in flight, the emulator verifying every signature; the driver signs once per x-ms-date second (the only part of the string to sign that changes), so its own CPU stays out of the emulator's latency.`,
    "Reference figures measured before (Node 20, 2 cores): official ~170 µs CPU/op at 32 in flight and ~300 µs at 1, floor ~50 µs; official bundle 73,410 B / 23,020 B gzip; official cold start ~140 ms vs floor ~60 ms.",
    "Ratios are ours÷official, ours÷floor, official÷floor, taken per round and then the median (rounds are interleaved, so a round's ratio compares clients under the same machine load); targets use the same ratios. Below 1× is better for every figure except throughput (ops/s, req/s), where above 1× is better.",
    "Emulator CPU per request is the emulator process's process.cpuUsage() over a window divided by the requests served; unlike req/s it barely depends on how busy the machine is, so 'capacity of one free core' estimates what req/s would be on an idle core.",
    "The machine is shared: treat single figures with care, compare ratios (measured interleaved) rather than absolute values across runs.",
  ];
  const title = plan.quick ? "Benchmark smoke (--quick: tiny counts, figures are not meaningful)" : "Benchmark results";
  console.log("");
  console.log(renderTable(figures, targets));
  const sections = [
    { title: "What the bundles are made of (minified bytes per package)", lines: bundleComposition },
    { title: "What installing the package costs an app (npm pack, installed into an empty app)", lines: installLines },
    { title: "Emulator cold start over HTTP: spawn → import, start, first answered signed request (vs a minimal node:http server)", lines: emulatorColdStartLines },
  ];
  const markdown = renderMarkdown(figures, targets, { title, environment, notes, failures: data.failures, sections });
  const resultsPath = plan.writeResults ? join(benchDir, "RESULTS.md") : join(tmpDir, plan.quick ? "RESULTS.quick.md" : "RESULTS.md");
  writeFileSync(resultsPath, markdown);
  writeFileSync(join(tmpDir, plan.quick ? "results.quick.json" : "results.json"), JSON.stringify({ environment, figures, targets, failures: data.failures }, null, 2));
  console.log(`\nwrote ${resultsPath} (${elapsed.toFixed(0)} s)${plan.writeResults || plan.quick ? "" : "; add -- --write-results to record the run in bench/RESULTS.md"}`);
  if (data.failures.length) {
    console.error(`\n${data.failures.length} measurement(s) failed to run:`);
    for (const failure of data.failures) console.error(`  ${failure}`);
    process.exitCode = 1;
  }
}

await main();
