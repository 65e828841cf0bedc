import { describe, expect, it } from "vitest";
import { ratioOf, renderMarkdown, renderTable, type Cell, type Figure } from "../../bench/report.js";
import { summarize } from "../../bench/stats.js";
import { evaluateTargets } from "../../bench/targets.js";

const ok = (...samples: number[]): Cell => ({ status: "ok", summary: summarize(samples) });
const na: Cell = { status: "n/a" };

function figures(ours: Partial<Record<string, Cell>> = {}): Figure[] {
  const make = (id: string, official: Cell, floor: Cell, oursDefault: Cell): Figure => ({
    id,
    section: id.split(".")[0],
    name: id,
    unit: "u",
    digits: 0,
    cells: { official, floor, ours: ours[id] ?? oursDefault },
  });
  return [
    make("cpu.createUserAndToken.16", ok(170), ok(50), ok(80)),
    make("cpu.createUserAndToken.32", ok(170), ok(50), ok(80)),
    make("cpu.getToken.16", ok(170), ok(50), ok(80)),
    make("cpu.getToken.32", ok(170), ok(50), ok(80)),
    make("bundle.gzip", ok(23_020), na, ok(12_000)),
    make("cold.import", ok(100), ok(10), ok(70)),
    make("cold.firstResponse", ok(140), ok(60), ok(100)),
    make("heap.growth", ok(900), ok(100), ok(500)),
    make("emulator.throughput", na, na, ok(12_000)),
    make("emulator.p99", na, na, ok(12)),
  ];
}

const verdicts = (list: Figure[]) => evaluateTargets(list).map((target) => target.verdict);

describe("evaluateTargets", () => {
  it("passes every target when ours meets them", () => {
    expect(verdicts(figures())).toEqual(Array(10).fill("PASS"));
  });

  it("judges CPU at 16 and at 32 in flight, each against 0.50× official", () => {
    const result = evaluateTargets(figures({ "cpu.getToken.16": ok(86) }));
    expect(result.map((target) => target.target).slice(0, 4)).toEqual([
      "client CPU/op, createUserAndToken at 16 in flight ≤ 0.50× official and ≤ 2× floor",
      "client CPU/op, createUserAndToken at 32 in flight ≤ 0.50× official and ≤ 2× floor",
      "client CPU/op, getToken at 16 in flight ≤ 0.50× official and ≤ 2× floor",
      "client CPU/op, getToken at 32 in flight ≤ 0.50× official and ≤ 2× floor",
    ]);
    expect(result[2]).toMatchObject({ verdict: "MISS" });
    expect(result[2].detail).toContain("0.51× official");
    expect(result[3]).toMatchObject({ verdict: "PASS" });
  });

  it("misses CPU when ours is under 0.50× official but over 2× the floor", () => {
    const result = evaluateTargets(figures({ "cpu.getToken.32": ok(101) }).map((figure) =>
      figure.id === "cpu.getToken.32" ? { ...figure, cells: { ...figure.cells, official: ok(300) } } : figure,
    ));
    expect(result[3]).toMatchObject({ verdict: "MISS" });
    expect(result[3].detail).toContain("2.02× floor");
  });

  it("misses the identity-only bundle above 0.55× official", () => {
    expect(verdicts(figures({ "bundle.gzip": ok(12_700) }))[4]).toBe("MISS");
    expect(verdicts(figures({ "bundle.gzip": ok(12_600) }))[4]).toBe("PASS");
  });

  it("misses cold start at more than 0.80× official and heap above 0.60× official's", () => {
    const result = verdicts(figures({ "cold.import": ok(81), "heap.growth": ok(541) }));
    expect(result[5]).toBe("MISS");
    expect(result[7]).toBe("MISS");
  });

  it("shows the emulator's CPU-based capacity beside its measured req/s", () => {
    const list = [...figures(), { id: "emulator.capacity", section: "e", name: "c", unit: "req/s", digits: 0, cells: { official: na, floor: na, ours: ok(5000) } }];
    expect(evaluateTargets(list)[8].detail).toBe("12,000 u; one free core ≈ 5,000 req/s from its CPU per request");
  });

  it("judges the emulator by its absolute figures", () => {
    const result = verdicts(figures({ "emulator.throughput": ok(9999), "emulator.p99": ok(20) }));
    expect(result.slice(8)).toEqual(["MISS", "MISS"]);
  });

  it("says NOT BUILT or FAILED instead of guessing", () => {
    const result = verdicts(
      figures({ "cpu.createUserAndToken.32": { status: "not built", reason: "x" }, "cold.import": { status: "failed", reason: "y" } }),
    );
    expect(result[1]).toBe("NOT BUILT");
    expect(result[5]).toBe("FAILED");
  });

  it("gives the reason a target could not be judged", () => {
    const result = evaluateTargets(figures({ "emulator.p99": { status: "not built", reason: "dist/emulator missing" } }));
    expect(result[9]).toMatchObject({ verdict: "NOT BUILT", detail: "dist/emulator missing" });
  });
});

describe("ratioOf", () => {
  it("takes the median of per-round ratios when both were measured in the same rounds", () => {
    expect(ratioOf(ok(100, 200), ok(400, 200))).toBe(0.625);
  });

  it("falls back to the ratio of medians for single values or different counts", () => {
    expect(ratioOf(ok(150), ok(300))).toBe(0.5);
    expect(ratioOf(ok(100, 200), ok(300))).toBe(0.5);
    expect(ratioOf(ok(1), na)).toBeUndefined();
  });

  it("decides the targets: paired rounds can miss where medians alone would pass", () => {
    const result = evaluateTargets(figures({ "cpu.createUserAndToken.32": ok(100, 200) }).map((figure) =>
      figure.id === "cpu.createUserAndToken.32" ? { ...figure, cells: { ...figure.cells, official: ok(400, 200), floor: ok(100, 100) } } : figure,
    ));
    expect(result[1]).toMatchObject({ verdict: "MISS" });
    expect(result[1].detail).toContain("0.63× official");
  });
});

describe("report rendering", () => {
  it("prints ratios to official and to the floor, and verdicts", () => {
    const list = figures();
    const table = renderTable(list, evaluateTargets(list));
    expect(table).toMatch(/cpu\.getToken\.32 \(u\)\s+170\s+50\s+80\s+0\.47×\s+1\.60×\s+3\.40×/);
    expect(table).toContain("PASS");
  });

  it("writes markdown with the environment, wide spreads and failures", () => {
    const list = figures({ "cold.import": ok(50, 90, 70) });
    const markdown = renderMarkdown(list, evaluateTargets(list), {
      title: "T",
      environment: [["Node", "v20"]],
      notes: ["n"],
      failures: ["heap.growth.ours: boom"],
    });
    expect(markdown).toContain("| Node | v20 |");
    expect(markdown).toContain("cold.import — ours: 50–90 u");
    expect(markdown).toContain("- heap.growth.ours: boom");
  });
});
