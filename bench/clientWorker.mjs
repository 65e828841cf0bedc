// One measured client in a fresh process: `node [--expose-gc] bench/clientWorker.mjs '<json config>'`.
// Modes:
//   throughput: warm-up at 32 in flight, then phases of N ops of one kind at a fixed number in flight;
//               per phase reports the process's CPU (process.cpuUsage delta, user + system) per op,
//               ops/s and latency p50/p99.
//   heap:       warm-up, gc(), heapUsed, 10,000 ops (createUserAndToken and getToken alternating,
//               32 in flight), gc(), heapUsed; reports the growth.
// Prints one JSON line on stdout. The access key arrives in the environment, never in argv.
import { importClientModule, makeClient, checkResult } from "./clients.mjs";

const config = JSON.parse(process.argv[2]);
const accessKey = process.env.BENCH_ACCESS_KEY;
if (!accessKey) throw new Error("BENCH_ACCESS_KEY is not set");

const { module } = await importClientModule(config.which);
const client = makeClient(config.which, module, { endpoint: config.endpoint, accessKey });

const first = await client.createUserAndToken();
checkResult("createUserAndToken", first);
const user = first.user;
checkResult("getToken", await client.getToken(user));

const operations = {
  createUserAndToken: () => client.createUserAndToken(),
  getToken: () => client.getToken(user),
};

/** Runs `count` ops with `inFlight` concurrent loops; records each op's latency in ms when asked. */
async function drive(pickOp, count, inFlight, latencies) {
  let started = 0;
  async function loop() {
    while (started < count) {
      const index = started++;
      const t0 = performance.now();
      await pickOp(index)();
      if (latencies) latencies[index] = performance.now() - t0;
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, loop));
}

let report;
if (config.mode === "heap") {
  if (typeof globalThis.gc !== "function") throw new Error("heap mode needs node --expose-gc");
  const alternate = (index) => (index % 2 ? operations.getToken : operations.createUserAndToken);
  await drive(alternate, config.warmup, 32);
  globalThis.gc();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  await drive(alternate, config.ops, 32);
  globalThis.gc();
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  report = { heapBefore: before, heapAfter: after, heapGrowth: after - before };
} else {
  // One warm-up, then each phase (e.g. 32 in flight, then 1) measured on the same warm client:
  // JIT warm-up dominates a child's run time, so phases share it.
  const op = operations[config.op];
  if (!op) throw new Error(`unknown op ${config.op}`);
  await drive(() => op, config.warmup, 32);
  const phases = [];
  for (const { inFlight, ops } of config.phases) {
    const latencies = new Float64Array(ops);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await drive(() => op, ops, inFlight, latencies);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    latencies.sort();
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
    phases.push({
      inFlight,
      cpuUsPerOp: (cpu.user + cpu.system) / ops,
      opsPerSec: (ops * 1000) / wallMs,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    });
  }
  report = { phases };
}
client.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
