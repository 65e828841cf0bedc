/** Prints a measured figure (delays, attempts, memory) when RELIABILITY_FIGURES is set; silent otherwise. */
export function reportFigure(name: string, value: unknown): void {
  if (process.env.RELIABILITY_FIGURES) console.log(`[figure] ${name}: ${JSON.stringify(value)}`);
}
