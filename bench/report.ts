// Turns measurements into the console table and bench/RESULTS.md: every figure with its median,
// min–max over rounds, its ratio to the official client and to the floor, and the targets.
import { median, type Summary } from "./stats.js";

export const CLIENT_COLUMNS = ["official", "floor", "ours"] as const;
export type ClientName = (typeof CLIENT_COLUMNS)[number];

export type Cell =
  | { status: "ok"; summary: Summary }
  | { status: "not built"; reason: string }
  | { status: "failed"; reason: string }
  | { status: "n/a" };

export interface Figure {
  /** Stable key targets refer to, e.g. "cpu.getToken.32". */
  id: string;
  section: string;
  name: string;
  unit: string;
  /** Digits after the decimal point when printing. */
  digits: number;
  cells: Record<ClientName, Cell>;
}

/** "NOT JUDGED": a `--quick` smoke run, whose tiny counts say nothing about the targets. */
export type Verdict = "PASS" | "MISS" | "NOT BUILT" | "FAILED" | "NOT JUDGED";

export interface TargetResult {
  target: string;
  verdict: Verdict;
  detail: string;
}

export function medianOf(cell: Cell | undefined): number | undefined {
  return cell?.status === "ok" ? cell.summary.median : undefined;
}

export function formatNumber(value: number, digits: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * a ÷ b. When both were measured in the same interleaved rounds (same sample count), it is the
 * median of the per-round ratios, which cancels drift between rounds; otherwise the ratio of medians.
 */
export function ratioOf(a: Cell | undefined, b: Cell | undefined): number | undefined {
  if (a?.status !== "ok" || b?.status !== "ok") return undefined;
  const x = a.summary.samples;
  const y = b.summary.samples;
  if (x.length > 1 && x.length === y.length && y.every((value) => value !== 0)) return median(x.map((value, index) => value / y[index]));
  return b.summary.median === 0 ? undefined : a.summary.median / b.summary.median;
}

export function formatRatio(value: number | undefined): string {
  return value === undefined ? "–" : `${value.toFixed(2)}×`;
}

export function formatCell(cell: Cell, digits: number, withRange: boolean): string {
  switch (cell.status) {
    case "ok": {
      const { median, min, max, samples, wide } = cell.summary;
      const value = formatNumber(median, digits);
      if (!withRange || samples.length < 2) return value;
      const range = `${formatNumber(min, digits)}–${formatNumber(max, digits)}`;
      return `${value} (${range}${wide ? ", wide" : ""})`;
    }
    case "not built":
      return "not built";
    case "failed":
      return "FAILED";
    case "n/a":
      return "–";
  }
}

function figureRow(figure: Figure, withRange: boolean): string[] {
  const { official, floor, ours } = figure.cells;
  return [
    `${figure.name} (${figure.unit})`,
    ...CLIENT_COLUMNS.map((client) => formatCell(figure.cells[client], figure.digits, withRange)),
    formatRatio(ratioOf(ours, official)),
    formatRatio(ratioOf(ours, floor)),
    formatRatio(ratioOf(official, floor)),
  ];
}

const FIGURE_HEADER = ["figure", "official", "floor", "ours", "ours/official", "ours/floor", "official/floor"];

/** Plain-text table for the terminal. */
export function renderTable(figures: Figure[], targets: TargetResult[]): string {
  const rows = [FIGURE_HEADER, ...figures.map((figure) => figureRow(figure, true))];
  const widths = FIGURE_HEADER.map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) =>
    row.map((text, column) => (column === 0 ? text.padEnd(widths[column]) : text.padStart(widths[column]))).join("  ");
  const out: string[] = [];
  let section = "";
  out.push(line(rows[0]));
  figures.forEach((figure, index) => {
    if (figure.section !== section) {
      section = figure.section;
      out.push(`-- ${section}`);
    }
    out.push(line(rows[index + 1]));
  });
  out.push("", "targets:");
  for (const target of targets) out.push(`  ${target.verdict.padEnd(10)} ${target.target}  [${target.detail}]`);
  return out.join("\n");
}

export interface ReportContext {
  title: string;
  environment: Array<[string, string]>;
  notes: string[];
  failures: string[];
  /** Extra sections after the figures, e.g. what the bundles are made of. */
  sections?: Array<{ title: string; lines: string[] }>;
}

const cellText = (text: string) => text.replace(/\|/g, "\\|");

/** Markdown for bench/RESULTS.md. */
export function renderMarkdown(figures: Figure[], targets: TargetResult[], context: ReportContext): string {
  const out: string[] = [`# ${context.title}`, ""];
  out.push("| | |", "|---|---|");
  for (const [key, value] of context.environment) out.push(`| ${cellText(key)} | ${cellText(value)} |`);
  out.push("", "## Targets", "", "| verdict | target | measured |", "|---|---|---|");
  for (const target of targets) out.push(`| ${target.verdict} | ${cellText(target.target)} | ${cellText(target.detail)} |`);
  let section = "";
  for (const figure of figures) {
    if (figure.section !== section) {
      section = figure.section;
      out.push("", `## ${section}`, "", `| ${FIGURE_HEADER.join(" | ")} |`, `|${FIGURE_HEADER.map(() => "---").join("|")}|`);
    }
    out.push(`| ${figureRow(figure, true).map(cellText).join(" | ")} |`);
  }
  const wide = figures.flatMap((figure) =>
    CLIENT_COLUMNS.flatMap((client) => {
      const cell = figure.cells[client];
      return cell.status === "ok" && cell.summary.wide
        ? [`${figure.section} · ${figure.name} — ${client}: ${formatNumber(cell.summary.min, figure.digits)}–${formatNumber(cell.summary.max, figure.digits)} ${figure.unit} (spread ${(cell.summary.spread * 100).toFixed(0)}% of the median)`]
        : [];
    }),
  );
  out.push("", "## Wide spreads", "");
  out.push(wide.length ? "Min–max over rounds wider than 25% of the median (treat these figures with care):" : "None: every figure's min–max is within 25% of its median.");
  for (const item of wide) out.push(`- ${item}`);
  for (const extra of context.sections ?? []) out.push("", `## ${extra.title}`, "", ...extra.lines);
  if (context.failures.length) {
    out.push("", "## Measurements that failed to run", "");
    for (const failure of context.failures) out.push(`- ${failure}`);
  }
  if (context.notes.length) {
    out.push("", "## Notes", "");
    for (const note of context.notes) out.push(`- ${note}`);
  }
  return `${out.join("\n")}\n`;
}
