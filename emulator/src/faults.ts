/** Faults on demand: the next N matching requests fail in a chosen way. */
import { generatedRoutes } from "./generated/routeTable.js";
import { matchRoute } from "./routes.js";

/**
 * What an injected fault does to a matching request; one of four shapes. The request log and the terminal line mark
 * the request with the fault (`[injected fault: status 503]`).
 */
export type FaultAction =
  | {
      /**
       * Answer with this HTTP status instead of handling the request: its body is read and discarded, it is not
       * authenticated and changes no state.
       */
      status: number;
      /** Sent as the `Retry-After` header, in seconds; no header when absent. */
      retryAfterSeconds?: number;
      /**
       * The JSON body of the answer. Default: the service's error envelope,
       * `{"error":{"code":"InjectedFault","message":"Fault injected by the emulator (status <status>)."}}`.
       */
      body?: unknown;
    }
  | {
      /** Destroy the connection without answering and without handling the request (the client sees the connection close with no answer, a "socket hang up" or `ECONNRESET`). */
      reset: true;
    }
  | {
      /** Wait this many milliseconds (real time, not the emulator's clock), then handle and answer the request as usual. */
      delayMs: number;
    }
  | {
      /**
       * Handle the request (its effects, such as a created identity or an issued token, happen and are kept), then
       * destroy the connection instead of sending the answer: a lost response, for testing retries of operations
       * that are not idempotent.
       */
      dropResponseAfterHandling: true;
    };

/** One rule of `injectFaults` (or of `POST /_emulator/faults`): which requests, how many of them, and what happens to each. */
export interface FaultRule {
  /** Which requests (every request to the service's API when absent); a request must match each field given. */
  match?: {
    /** The HTTP method, in any case (`post` matches `POST`); any method when absent. */
    method?: string;
    /**
     * Any path when absent; otherwise one of:
     * - a route template as the REST API spells it, `/identities/{id}/:issueAccessToken`: that route, any id
     *   (parameter names do not matter; a template that is no route of the service is refused);
     * - an exact path, `/identities`: that path only (not the paths below it), percent-encoding and a trailing `/` aside;
     * - a RegExp, tested against the path as sent (still percent-encoded, without the query).
     */
    path?: string | RegExp;
  };
  /** How many matching requests this rule applies to: a positive integer. Once used up, the rule is removed. */
  times: number;
  /** What happens to each matching request. */
  fault: FaultAction;
}

export class FaultPlan {
  private rules: FaultRule[] = [];

  add(rules: readonly FaultRule[]): void {
    for (const rule of rules) {
      if (!Number.isInteger(rule.times) || rule.times < 1) throw new TypeError("A fault rule needs `times`, a positive integer.");
      checkMatch(rule.match);
      // Methods are compared upper-cased (the server upper-cases the request's), so normalise once here.
      const match = rule.match ? { ...rule.match, method: rule.match.method?.toUpperCase() } : undefined;
      this.rules.push({ ...rule, match, fault: { ...rule.fault } });
    }
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules still pending, with the uses they have left (`GET /_emulator/faults`). */
  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule, match: rule.match && { ...rule.match }, fault: { ...rule.fault } }));
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
  if (typeof m.path === "string") {
    if (!isTemplate(m.path)) return samePath(m.path, path);
    const template = routeTemplateOf(method, path);
    return template !== undefined && sameTemplate(template, m.path);
  }
  m.path.lastIndex = 0;
  return m.path.test(path);
}

/** The one place that asks the route table which route a request is for (the template as the spec spells it). */
function routeTemplateOf(method: string, path: string): string | undefined {
  const match = matchRoute(method, path);
  return match.kind === "found" ? match.route.template : undefined;
}

function checkMatch(match: FaultRule["match"]): void {
  if (match === undefined) return;
  if (typeof match !== "object" || match === null) throw new TypeError("A fault rule's `match` must be an object: { method?, path? }.");
  if (match.method !== undefined && typeof match.method !== "string") throw new TypeError("A fault rule's `match.method` must be a string.");
  const { path } = match;
  if (path === undefined || path instanceof RegExp) return;
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new TypeError("A fault rule's `match.path` must be a path starting with '/', a route template or a RegExp.");
  }
  if (isTemplate(path) && !generatedRoutes.some((route) => sameTemplate(route.template, path))) {
    throw new TypeError(`A fault rule's path template ${path} is not a route of the service; templates look like /identities/{id}/:issueAccessToken.`);
  }
}

const isTemplate = (path: string) => path.includes("{");

/** Parameter names do not matter: `/identities/{userId}` is `/identities/{id}`. */
function sameTemplate(a: string, b: string): boolean {
  const shape = (template: string) => segments(template).map((segment) => (segment.startsWith("{") ? "{}" : segment));
  const x = shape(a);
  const y = shape(b);
  return x.length === y.length && x.every((segment, i) => segment === y[i]);
}

/** Segment by segment, percent-decoded, ignoring a trailing `/` (as the router does). */
function samePath(expected: string, actual: string): boolean {
  const x = segments(expected);
  const y = segments(actual);
  return x.length === y.length && x.every((segment, i) => segment === y[i]);
}

function segments(path: string): string[] {
  return path
    .split("/")
    .filter((part, i, all) => !(part === "" && (i === 0 || i === all.length - 1)))
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
}
