// Samples per measurement key ("cpu.getToken.32.ours"), and why a key has none: not built, or failed.
import type { Cell } from "./report.js";
import { summarize } from "./stats.js";

export class Collector {
  readonly failures: string[] = [];
  private readonly samples = new Map<string, number[]>();
  private readonly problems = new Map<string, Cell>();

  constructor(private readonly requireBuilt: boolean) {}

  add(key: string, value: number): void {
    const list = this.samples.get(key) ?? [];
    list.push(value);
    this.samples.set(key, list);
  }

  fail(key: string, reason: string): void {
    if (!this.problems.has(key)) this.failures.push(`${key}: ${reason}`);
    this.problems.set(key, { status: "failed", reason });
  }

  notBuilt(key: string, reason: string): void {
    if (this.requireBuilt) return this.fail(key, reason);
    this.problems.set(key, { status: "not built", reason });
  }

  cell(key: string): Cell {
    const problem = this.problems.get(key);
    if (problem) return problem;
    const values = this.samples.get(key);
    return values?.length ? { status: "ok", summary: summarize(values) } : { status: "n/a" };
  }
}
