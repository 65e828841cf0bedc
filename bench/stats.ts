// Summaries of repeated measurements: medians across rounds, and a flag when rounds disagree a lot.

/** Wider than this (max − min relative to the median) and the report says the spread is wide. */
export const WIDE_SPREAD = 0.25;

export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
  /** (max − min) / median; 0 for a single sample. */
  spread: number;
  wide: boolean;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank quantile (q in 0..1) of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error("quantile of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

export function summarize(samples: readonly number[]): Summary {
  const mid = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  const spread = samples.length > 1 && mid !== 0 ? (max - min) / Math.abs(mid) : 0;
  return { median: mid, min, max, samples: [...samples], spread, wide: spread > WIDE_SPREAD };
}
