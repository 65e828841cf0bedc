// How much work one run does: the full run (medians over 5 rounds, ~3 minutes on 2 shared cores)
// or the CI smoke (--quick: one round, tiny counts, a few seconds; proves every measurement runs).

export interface Plan {
  quick: boolean;
  /** Count "not built" (no dist/) as a failure: for CI, where the build runs first. */
  requireBuilt: boolean;
  /** Write bench/RESULTS.md (the committed record); otherwise the results go to bench/.tmp/ only. */
  writeResults: boolean;
  rounds: number;
  /** Ops before measuring, at 32 in flight, once per child (the JIT needs thousands). */
  warmupOps: number;
  /** Measured ops per phase, by number in flight. */
  opsAt: Record<number, number>;
  /** Heap rounds: fewer than throughput rounds, since heap growth varies less and costs 10,000 ops a round. */
  heapRounds: number;
  heapWarmupOps: number;
  heapOps: number;
  coldRuns: number;
  emulatorWarmupMs: number;
  emulatorWindowMs: number;
  emulatorWindows: number;
}

export const FULL_PLAN: Plan = {
  quick: false,
  requireBuilt: false,
  writeResults: false,
  // Per-round CPU per op spread 40–100% even on an idle machine; 7 rounds steady the medians.
  rounds: 7,
  heapRounds: 5,
  warmupOps: 2000,
  opsAt: { 1: 1000, 16: 2500, 32: 2500 },
  heapWarmupOps: 500,
  heapOps: 10_000,
  // Single cold starts spread 50–75% on this shared 2-core machine; 15 processes per figure steady the median.
  coldRuns: 15,
  emulatorWarmupMs: 2500,
  emulatorWindowMs: 1500,
  // The p99 of one 1.5 s window swings ±40% with the machine; the median of 9 windows is steadier.
  emulatorWindows: 9,
};

export const QUICK_PLAN: Plan = {
  quick: true,
  requireBuilt: false,
  writeResults: false,
  rounds: 1,
  heapRounds: 1,
  warmupOps: 50,
  opsAt: { 1: 100, 16: 160, 32: 320 },
  heapWarmupOps: 50,
  heapOps: 1000,
  coldRuns: 1,
  emulatorWarmupMs: 200,
  emulatorWindowMs: 400,
  emulatorWindows: 1,
};

export function parseArgs(argv: string[]): Plan {
  const plan = argv.includes("--quick") ? { ...QUICK_PLAN, opsAt: { ...QUICK_PLAN.opsAt } } : { ...FULL_PLAN, opsAt: { ...FULL_PLAN.opsAt } };
  for (const arg of argv) {
    if (arg === "--quick") continue;
    if (arg === "--require-built") plan.requireBuilt = true;
    else if (arg === "--write-results") plan.writeResults = true;
    else if (/^--rounds=\d+$/.test(arg)) {
      plan.rounds = Math.max(1, Number(arg.slice("--rounds=".length)));
      plan.heapRounds = Math.min(plan.heapRounds, plan.rounds);
    }
    else throw new Error(`unknown argument ${arg} (known: --quick, --require-built, --write-results, --rounds=N)`);
  }
  if (plan.quick && plan.writeResults) throw new Error("--write-results records a full run: it cannot be combined with --quick");
  return plan;
}
