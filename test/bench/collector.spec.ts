import { describe, expect, it } from "vitest";
import { Collector } from "../../bench/collector.js";

describe("Collector", () => {
  it("summarizes the samples of a key", () => {
    const data = new Collector(false);
    data.add("cpu.x.official", 3);
    data.add("cpu.x.official", 1);
    data.add("cpu.x.official", 2);
    expect(data.cell("cpu.x.official")).toMatchObject({ status: "ok", summary: { median: 2, min: 1, max: 3 } });
    expect(data.cell("cpu.x.ours")).toEqual({ status: "n/a" });
  });

  it("keeps a failure over samples and lists it once", () => {
    const data = new Collector(false);
    data.add("k", 1);
    data.fail("k", "boom");
    data.fail("k", "boom again");
    expect(data.cell("k")).toMatchObject({ status: "failed" });
    expect(data.failures).toEqual(["k: boom"]);
  });

  it("records not built, or a failure when builds are required", () => {
    const lenient = new Collector(false);
    lenient.notBuilt("k", "dist missing");
    expect(lenient.cell("k")).toEqual({ status: "not built", reason: "dist missing" });
    expect(lenient.failures).toEqual([]);
    const strict = new Collector(true);
    strict.notBuilt("k", "dist missing");
    expect(strict.cell("k")).toMatchObject({ status: "failed" });
    expect(strict.failures).toEqual(["k: dist missing"]);
  });
});
