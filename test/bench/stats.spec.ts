import { describe, expect, it } from "vitest";
import { median, quantile, summarize, WIDE_SPREAD } from "../../bench/stats.js";

describe("median", () => {
  it("takes the middle of an odd count and the mean of the two middles of an even count", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("refuses no values", () => {
    expect(() => median([])).toThrow();
  });
});

describe("quantile", () => {
  it("uses the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile([7], 0.99)).toBe(7);
  });
});

describe("summarize", () => {
  it("reports median, min, max and flags a wide spread", () => {
    const tight = summarize([100, 101, 99, 100, 102]);
    expect(tight).toMatchObject({ median: 100, min: 99, max: 102, wide: false });
    const wide = summarize([100, 100 * (1 + WIDE_SPREAD) + 1, 100]);
    expect(wide.wide).toBe(true);
  });

  it("never flags a single sample", () => {
    expect(summarize([3])).toMatchObject({ spread: 0, wide: false });
  });
});
