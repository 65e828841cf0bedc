import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchDir, redact, runNodeChild, startCannedServerChild, startEmulatorChild, type RunningChild } from "../../bench/children.js";
import { parseArgs, QUICK_PLAN } from "../../bench/plan.js";

const accessKey = randomBytes(32).toString("base64");
const env = { BENCH_ACCESS_KEY: accessKey };

describe("measurement children", () => {
  let server: RunningChild & { port: number };
  beforeAll(async () => {
    server = await startCannedServerChild();
  });
  afterAll(async () => {
    await server.stop();
  });

  it.each(["floor", "official"])("clientWorker measures %s: CPU per op, ops/s and latencies", async (which) => {
    const phases = [
      { inFlight: 4, ops: 40 },
      { inFlight: 1, ops: 10 },
    ];
    const config = { which, op: "getToken", warmup: 5, phases, endpoint: `http://127.0.0.1:${server.port}/` };
    const { value } = await runNodeChild<{ phases: Array<Record<string, number>> }>(join(benchDir, "clientWorker.mjs"), [JSON.stringify(config)], {
      env,
      timeoutMs: 15_000,
    });
    expect(value.phases.map((phase) => phase.inFlight)).toEqual([4, 1]);
    for (const phase of value.phases) {
      expect(phase.cpuUsPerOp).toBeGreaterThan(0);
      expect(phase.opsPerSec).toBeGreaterThan(0);
      expect(phase.p99Ms).toBeGreaterThanOrEqual(phase.p50Ms);
    }
  });

  it("clientWorker reports heap growth under --expose-gc", async () => {
    const config = { which: "floor", mode: "heap", ops: 100, warmup: 10, endpoint: `http://127.0.0.1:${server.port}/` };
    const { value } = await runNodeChild<Record<string, number>>(join(benchDir, "clientWorker.mjs"), [JSON.stringify(config)], {
      nodeArgs: ["--expose-gc"],
      env,
      timeoutMs: 15_000,
    });
    expect(value.heapGrowth).toBe(value.heapAfter - value.heapBefore);
  });

  it("coldStart prints after the first successful response and the parent times it", async () => {
    const run = await runNodeChild<{ importMs: number; sinceStartMs: number }>(
      join(benchDir, "coldStart.mjs"),
      ["floor", "first-response", `http://127.0.0.1:${server.port}/`],
      { env, timeoutMs: 15_000 },
    );
    expect(run.value.importMs).toBeGreaterThan(0);
    expect(run.value.sinceStartMs).toBeGreaterThan(run.value.importMs);
    expect(run.firstLineMs).toBeGreaterThan(0);
  });

  it("a failing child rejects with its error line", async () => {
    const config = { which: "floor", op: "getToken", warmup: 0, phases: [{ inFlight: 1, ops: 1 }], endpoint: "http://127.0.0.1:1/" };
    await expect(runNodeChild(join(benchDir, "clientWorker.mjs"), [JSON.stringify(config)], { env, timeoutMs: 15_000 })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it("a child's stderr is quoted with the key redacted", async () => {
    const script = join(mkdtempSync(join(tmpdir(), "bench-child-")), "leaky.mjs");
    writeFileSync(script, 'console.error("Error: bad connection string accesskey=" + process.env.BENCH_ACCESS_KEY); process.exit(1);\n');
    const failure = runNodeChild(script, [], { env, secrets: [accessKey], timeoutMs: 15_000 });
    await expect(failure).rejects.toThrow(/accesskey=<redacted>/);
    await failure.catch((error: Error) => expect(error.message).not.toContain(accessKey));
  });

  it("a child that hangs is killed at its timeout", async () => {
    const script = join(mkdtempSync(join(tmpdir(), "bench-child-")), "hang.mjs");
    writeFileSync(script, "setInterval(() => {}, 1000);\n");
    await expect(runNodeChild(script, [], { timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms/);
  });
});

describe("startEmulatorChild", () => {
  it("starts the given emulator build, hands over its connection string and reports its CPU time", async () => {
    const entry = join(mkdtempSync(join(tmpdir(), "bench-emulator-")), "fakeEmulator.mjs");
    writeFileSync(
      entry,
      'export async function startIdentityEmulator({ port }) { return { connectionString: `endpoint=http://127.0.0.1:${port}/;accesskey=QUJD`, close: async () => {} }; }\n',
    );
    const emulator = await startEmulatorChild(entry);
    try {
      expect(emulator.connectionString).toBe("endpoint=http://127.0.0.1:0/;accesskey=QUJD");
      const first = await emulator.cpuMicros();
      const second = await emulator.cpuMicros();
      expect(first).toBeGreaterThan(0);
      expect(second).toBeGreaterThanOrEqual(first);
    } finally {
      await emulator.stop();
    }
    expect(emulator.child.exitCode !== null || emulator.child.signalCode !== null).toBe(true);
  });
});

describe("redact", () => {
  it("replaces every occurrence of each secret", () => {
    expect(redact("a KEY b KEY", ["KEY"])).toBe("a <redacted> b <redacted>");
    expect(redact("nothing", [""])).toBe("nothing");
  });
});

describe("parseArgs", () => {
  it("--quick selects the smoke plan; --rounds overrides", () => {
    expect(parseArgs(["--quick"])).toMatchObject({ quick: true, rounds: QUICK_PLAN.rounds });
    expect(parseArgs(["--rounds=7"])).toMatchObject({ quick: false, rounds: 7 });
    expect(parseArgs(["--rounds=3"])).toMatchObject({ rounds: 3, heapRounds: 3 });
    expect(parseArgs([]).rounds).toBeGreaterThanOrEqual(5);
    expect(parseArgs([]).heapRounds).toBeGreaterThanOrEqual(5);
    expect(parseArgs([]).coldRuns).toBeGreaterThanOrEqual(7);
    expect(parseArgs(["--rounds=3", "--quick"])).toMatchObject({ quick: true, rounds: 3 });
    expect(parseArgs(["--quick", "--require-built"])).toMatchObject({ requireBuilt: true });
    expect(parseArgs([]).requireBuilt).toBe(false);
    expect(() => parseArgs(["--fast"])).toThrow(/unknown argument/);
    expect(() => parseArgs(["--rounds=x"])).toThrow(/unknown argument/);
  });

  it("writes bench/RESULTS.md only when asked with --write-results, never for a smoke run", () => {
    expect(parseArgs([]).writeResults).toBe(false);
    expect(parseArgs(["--quick"]).writeResults).toBe(false);
    expect(parseArgs(["--write-results"]).writeResults).toBe(true);
    expect(() => parseArgs(["--quick", "--write-results"])).toThrow(/cannot be combined with --quick/);
  });
});
