import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { reportFigure } from "../helpers/figures.js";
import { startTsxChild, type TsxChild } from "../helpers/tsxChild.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const children: TsxChild[] = [];
afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
});

interface LoadSummary {
  ops: number;
  ms: number;
  peakInFlight: number;
  failures: string[];
  failureCount: number;
  createdIds: number;
  duplicateIds: number;
  tokens: number;
  invalidTokens: string[];
  race: { distinctIds: number; failures: number };
  heapUsed: number;
}

const within10Percent = (before: number, after: number) => Math.abs(after - before) / before;

describe("load through one client", () => {
  it("2,000 mixed operations, 64 in flight: all succeed, ids unique, tokens verify, memory returns to its level", { timeout: 60_000 }, async () => {
    const emulator = startTsxChild(path.join(here, "../../emulator/test/reliability/children/emulatorProcess.ts"), { nodeArgs: ["--expose-gc"] });
    children.push(emulator);
    const { connectionString } = await emulator.next<{ connectionString: string }>((m) => m.ready === true);

    const client = startTsxChild(path.join(here, "children/loadClient.ts"), {
      nodeArgs: ["--expose-gc"],
      env: { EMULATOR_CONNECTION_STRING: connectionString },
    });
    children.push(client);
    // Baselines after a warm-up of the same shape and size (2,000 ops): JIT code, socket pools and caches
    // are full by then. After only 400 warm-up ops the client heap still rose ~8 % (code, not a leak).
    const warm = await client.next<{ heapUsed: number }>((m) => m.phase === "warm", 40_000);
    emulator.send("heap");
    const emulatorBefore = (await emulator.next<{ heapUsed: number }>((m) => "heapUsed" in m)).heapUsed;

    client.send("go");
    const load = await client.next<LoadSummary>((m) => m.phase === "done", 50_000);
    emulator.send("heap");
    const emulatorAfter = (await emulator.next<{ heapUsed: number }>((m) => "heapUsed" in m)).heapUsed;
    emulator.send("close");
    await emulator.exited;

    const figures = {
      ops: load.ops,
      seconds: load.ms / 1000,
      opsPerSecond: Math.round(load.ops / (load.ms / 1000)),
      peakInFlight: load.peakInFlight,
      clientHeapMB: [warm.heapUsed / 2 ** 20, load.heapUsed / 2 ** 20].map((n) => Number(n.toFixed(2))),
      emulatorHeapMB: [emulatorBefore / 2 ** 20, emulatorAfter / 2 ** 20].map((n) => Number(n.toFixed(2))),
    };
    reportFigure("load", figures);

    expect(load.failures).toEqual([]);
    expect(load.failureCount).toBe(0);
    expect(load.ops).toBe(2000);
    expect(load.peakInFlight).toBe(64);
    expect(load.duplicateIds).toBe(0);
    expect(load.createdIds).toBe(500);
    expect(load.tokens).toBe(500);
    expect(load.invalidTokens).toEqual([]);
    expect(load.race).toEqual({ distinctIds: 1, failures: 0 });
    expect(within10Percent(warm.heapUsed, load.heapUsed), `client heap ${JSON.stringify(figures.clientHeapMB)} MB`).toBeLessThanOrEqual(0.1);
    expect(within10Percent(emulatorBefore, emulatorAfter), `emulator heap ${JSON.stringify(figures.emulatorHeapMB)} MB`).toBeLessThanOrEqual(0.1);
  });
});
