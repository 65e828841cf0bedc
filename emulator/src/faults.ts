/** Faults on demand: the next N matching requests fail in a chosen way. */

export type FaultAction =
  | { status: number; retryAfterSeconds?: number; body?: unknown }
  | { reset: true }
  | { delayMs: number }
  | { dropResponseAfterHandling: true };

export interface FaultRule {
  match?: { method?: string; path?: string | RegExp };
  /** How many matching requests this rule applies to. */
  times: number;
  fault: FaultAction;
}

export class FaultPlan {
  private rules: FaultRule[] = [];

  add(rules: readonly FaultRule[]): void {
    for (const rule of rules) {
      if (!Number.isInteger(rule.times) || rule.times < 1) throw new TypeError("A fault rule needs `times`, a positive integer.");
      // Methods are compared upper-cased (the server upper-cases the request's), so normalise once here.
      const match = rule.match ? { ...rule.match, method: rule.match.method?.toUpperCase() } : undefined;
      this.rules.push({ ...rule, match, fault: { ...rule.fault } });
    }
  }

  clear(): void {
    this.rules = [];
  }

  /** Consumes one use of the first rule matching this request (`method` upper-case), if any. */
  take(method: string, path: string): FaultAction | undefined {
    if (this.rules.length === 0) return undefined;
    const index = this.rules.findIndex((rule) => matches(rule, method, path));
    if (index < 0) return undefined;
    const rule = this.rules[index];
    rule.times -= 1;
    if (rule.times === 0) this.rules.splice(index, 1);
    return rule.fault;
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  const m = rule.match;
  if (!m) return true;
  if (m.method !== undefined && m.method !== method) return false;
  if (m.path === undefined) return true;
  if (typeof m.path === "string") return path.startsWith(m.path);
  m.path.lastIndex = 0;
  return m.path.test(path);
}
