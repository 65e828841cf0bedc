/**
 * The control API under `/_emulator/`: JSON in and out, for tests and tools in any language (curl, Python,
 * a compose file) to do what the in-process hooks do: list and reset state, inject faults, mint test tokens,
 * move the clock, read the request log. Plus the inspector page and the redirect of a browser opening `/`.
 *
 * Access: without credentials only from loopback (and not from a web page of another origin, nor through a
 * DNS name that is not a loopback one, so a page you visit cannot drive your emulator); otherwise the request
 * must carry the resource's credentials exactly like the service's API (HMAC-SHA256 with the access key,
 * or a bearer token of this emulator).
 *
 * Routes are data: a row per endpoint in {@link CONTROL_ROUTES}; another table (say, a local Entra ID
 * authority) is one more spread in that list.
 */
import type { IncomingMessage } from "node:http";
import { verifyAccessToken } from "./acsTokens.js";
import type { EntraAssignment, TeamsExtensionAssignment } from "./assignmentStore.js";
import type { EmulatorClock } from "./clock.js";
import { mintEntraToken, type EntraTokenOptions } from "./entraTokens.js";
import { invalidAuthenticationInfo, validation } from "./errors.js";
import type { FaultAction, FaultPlan, FaultRule } from "./faults.js";
import { verifyContentHash } from "./hmacVerifier.js";
import type { IdentityStore } from "./identityStore.js";
import { inspectorAssets } from "./inspector/assets.js";
import { parseJsonBody, requireObject } from "./jsonInput.js";
import type { RequestLog } from "./requestLog.js";
import { verifyResourceCredentials } from "./resourceAuthentication.js";
import { mintTeamsUserAadToken } from "./teamsTokens.js";

/** What the control API works on: the emulator's state and hooks. */
export interface EmulatorState {
  store: IdentityStore;
  faults: FaultPlan;
  log: RequestLog;
  clock: EmulatorClock;
}

export interface ControlRequest {
  req: IncomingMessage;
  method: string;
  /** The request target as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** The parsed JSON body; undefined when empty. */
  body: unknown;
  state: EmulatorState;
}

export interface ControlReply {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is with this content type (the inspector's files). */
  page?: { contentType: string; text: string };
  headers?: Record<string, string>;
}

export interface ControlRoute {
  method: "GET" | "POST" | "DELETE";
  /** `/_emulator/faults`; a `{name}` segment captures one segment into `params`. */
  path: string;
  /** `local`: credential-less from loopback only, else the resource's credentials; `public`: anyone (no state in it). */
  access: "local" | "public";
  /** Kept out of the request log and the terminal (reads the inspector polls). */
  quiet?: boolean;
  /** Extra condition for the route to apply (e.g. a browser asking for HTML); otherwise the request goes on as usual. */
  when?(req: IncomingMessage): boolean;
  handle(request: ControlRequest): ControlReply | Promise<ControlReply>;
}

const emulatorRoutes: readonly ControlRoute[] = [
  { method: "GET", path: "/_emulator/identities", access: "local", quiet: true, handle: ({ state }) => ok({ value: state.store.list() }) },
  { method: "GET", path: "/_emulator/assignments", access: "local", quiet: true, handle: ({ state }) => ok(listAssignments(state.store)) },
  { method: "POST", path: "/_emulator/reset", access: "local", handle: ({ state }) => (resetState(state), { status: 204 }) },
  { method: "GET", path: "/_emulator/faults", access: "local", quiet: true, handle: ({ state }) => ok({ value: state.faults.list().map(showRule) }) },
  { method: "POST", path: "/_emulator/faults", access: "local", handle: addFault },
  { method: "DELETE", path: "/_emulator/faults", access: "local", handle: ({ state }) => (state.faults.clear(), { status: 204 }) },
  { method: "POST", path: "/_emulator/teams-user-tokens", access: "local", handle: mintTeamsUserToken },
  { method: "POST", path: "/_emulator/entra-tokens", access: "local", handle: mintEntra },
  { method: "GET", path: "/_emulator/clock", access: "local", quiet: true, handle: ({ state }) => ok(clockBody(state.clock)) },
  { method: "POST", path: "/_emulator/clock", access: "local", handle: setClock },
  { method: "GET", path: "/_emulator/requests", access: "local", quiet: true, handle: listRequests },
  { method: "POST", path: "/_emulator/tokens:verify", access: "local", handle: verifyToken },
];

const inspectorRoutes: readonly ControlRoute[] = [
  ...inspectorAssets.map(
    (asset): ControlRoute => ({
      method: "GET",
      path: asset.path,
      access: "public",
      quiet: true,
      handle: () => ({ status: 200, page: { contentType: asset.contentType, text: asset.text }, headers: { "Cache-Control": "no-cache" } }),
    }),
  ),
  // A browser opening the endpoint lands on the inspector; API clients still get the service's 404 for `/`.
  {
    method: "GET",
    path: "/",
    access: "public",
    quiet: true,
    when: (req) => /\btext\/html\b/.test(req.headers.accept ?? ""),
    handle: () => ({ status: 302, headers: { Location: "/_emulator/" } }),
  },
];

/** Every control route; add a table by spreading it here. */
export const CONTROL_ROUTES: readonly ControlRoute[] = [...emulatorRoutes, ...inspectorRoutes];

export type ControlMatch = { route: ControlRoute; params: Record<string, string> };

/** The control route for this request, if any (matched on the raw path; `/_emulator/` and `/_emulator` are one). */
export function matchControlRoute(method: string, path: string, req: IncomingMessage, routes = CONTROL_ROUTES): ControlMatch | undefined {
  const patterns = templateSegments(routes);
  // Most requests are for the service's API: their first segment starts no control route, so nothing is split.
  if (!patterns.firsts.has(firstSegment(path))) return undefined;
  const parts = segments(path);
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index];
    if (route.method !== method && !(method === "HEAD" && route.method === "GET")) continue;
    const params = matchTemplate(patterns[index], parts);
    if (params && (route.when === undefined || route.when(req))) return { route, params };
  }
  return undefined;
}

/**
 * Checks access (from the headers, before the body is read), reads and parses the body, and runs the route;
 * throws an EmulatorHttpError to answer otherwise.
 */
export async function runControlRoute(
  { route, params }: ControlMatch,
  context: { req: IncomingMessage; method: string; url: string; path: string; readBody: () => Promise<Buffer>; state: EmulatorState },
): Promise<ControlReply> {
  const { req, method, url, path, state } = context;
  const signed = route.access === "local" && checkControlAccess(req, method, url, state) === "hmac";
  const body = await context.readBody();
  if (signed) verifyContentHash(req.headers, body);
  const json = parseJsonBody(body);
  const queryStart = url.indexOf("?");
  const query = new URLSearchParams(queryStart < 0 ? "" : url.slice(queryStart + 1));
  return route.handle({ req, method, url, path, query, params, body: json, state });
}

// ---- access ---------------------------------------------------------------------------------

/** Throws the 401 to answer when the caller may not use the control API; says how it was let in. */
function checkControlAccess(req: IncomingMessage, method: string, url: string, state: EmulatorState): "hmac" | "bearer" | "local" {
  if (req.headers.authorization) return verifyResourceCredentials({ method, url, headers: req.headers }, state.store.secrets, state.clock.now());
  const why = controlAccessRefusal(req);
  if (why === undefined) return "local";
  throw invalidAuthenticationInfo("The control API needs the resource's credentials here.", {
    code: "ControlApiNeedsCredentials",
    header: "authorization",
    message: `The control API answers without credentials only to loopback callers; ${why}. Sign the request with the resource's access key (HMAC-SHA256, like the service's API; see the emulator's README).`,
  });
}

/** Undefined when the caller may use the control API without credentials; else why not. */
export function controlAccessRefusal(req: IncomingMessage): string | undefined {
  const remote = req.socket.remoteAddress ?? "";
  if (!isLoopbackAddress(remote)) return `this request came from ${remote || "an unknown address"}`;
  const host = req.headers.host ?? "";
  if (!isLoopbackHost(host)) return `this request names the host '${host}', not a loopback name or address`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== "null") {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== host) return `this request came from a web page of another origin (${origin})`;
  }
  return undefined;
}

function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

function isLoopbackHost(host: string): boolean {
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, "");
  const lower = name.toLowerCase();
  return lower === "localhost" || lower.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(lower) || lower === "[::1]";
}

// ---- handlers -------------------------------------------------------------------------------

function ok(body: unknown): ControlReply {
  return { status: 200, body };
}

/** The access assignments by kind, as `GET /_emulator/assignments` answers them. */
export interface AssignmentListing {
  /** Every Teams Phone extensibility assignment of the resource; empty when there is none. */
  teamsExtension: TeamsExtensionAssignment[];
  /** Every Entra ID assignment of the resource; empty when there is none. */
  entra: EntraAssignment[];
}

export function listAssignments(store: IdentityStore): AssignmentListing {
  const result: AssignmentListing = { teamsExtension: [], entra: [] };
  for (const record of store.assignments.snapshot()) {
    if (record.kind === "teamsExtension" && record.value !== null) result.teamsExtension.push(record.value);
    if (record.kind === "entra" && record.value !== null) result.entra.push(record.value);
  }
  return result;
}

/** Identities, assignments, faults and the clock offset go; the keys and the request log stay. */
export function resetState(state: EmulatorState): void {
  state.store.reset();
  state.faults.clear();
  state.clock.setOffset(0);
}

function showRule(rule: FaultRule): unknown {
  const match = rule.match && { ...rule.match, path: rule.match.path instanceof RegExp ? String(rule.match.path) : rule.match.path };
  return { ...rule, match };
}

function addFault({ body, state }: ControlRequest): ControlReply {
  const rule = requireObject(body);
  if (!Number.isInteger(rule.times) || (rule.times as number) < 1) throw validation("times must be a positive integer.", "times");
  let match: FaultRule["match"];
  if (rule.match !== undefined && rule.match !== null) {
    const given = requireObject(rule.match, "match");
    for (const field of ["method", "path"] as const) {
      if (given[field] !== undefined && typeof given[field] !== "string") throw validation(`match.${field} must be a string.`, `match.${field}`);
    }
    match = { ...given } as FaultRule["match"];
  }
  const fault = readFaultAction(rule.fault);
  const added: FaultRule = { ...rule, times: rule.times as number, fault, ...(match ? { match } : {}) };
  if (!match) delete added.match;
  try {
    state.faults.add([added]);
  } catch (error) {
    if (error instanceof TypeError) throw validation(error.message);
    throw error;
  }
  return { status: 201, body: { value: state.faults.list().map(showRule) } };
}

function readFaultAction(value: unknown): FaultAction {
  const fault = requireObject(value, "fault");
  const kinds = ["status", "reset", "delayMs", "dropResponseAfterHandling"].filter((kind) => fault[kind] !== undefined);
  if (kinds.length !== 1) {
    throw validation("fault must have exactly one of status, reset, delayMs, dropResponseAfterHandling.", "fault");
  }
  const kind = kinds[0];
  if (kind === "status") {
    if (!Number.isInteger(fault.status) || (fault.status as number) < 100 || (fault.status as number) > 599) {
      throw validation("fault.status must be an HTTP status (100..599).", "fault.status");
    }
    if (fault.retryAfterSeconds !== undefined && (typeof fault.retryAfterSeconds !== "number" || fault.retryAfterSeconds < 0)) {
      throw validation("fault.retryAfterSeconds must be a non-negative number.", "fault.retryAfterSeconds");
    }
  } else if (kind === "delayMs") {
    if (typeof fault.delayMs !== "number" || !Number.isFinite(fault.delayMs) || fault.delayMs < 0) {
      throw validation("fault.delayMs must be a non-negative number.", "fault.delayMs");
    }
  } else if (fault[kind] !== true) {
    throw validation(`fault.${kind} must be true.`, `fault.${kind}`);
  }
  return fault as FaultAction;
}

function mintTeamsUserToken({ body, state }: ControlRequest): ControlReply {
  const request = requireObject(body);
  const appId = requireString(request, "appId");
  const userObjectId = requireString(request, "userObjectId");
  const tenantId = request.tenantId === undefined ? undefined : requireString(request, "tenantId");
  const minutes = request.expiresInMinutes === undefined ? 60 : request.expiresInMinutes;
  if (typeof minutes !== "number" || !Number.isFinite(minutes)) throw validation("expiresInMinutes must be a number.", "expiresInMinutes");
  const now = state.clock.now();
  const expiresOn = new Date(now.getTime() + Math.round(minutes * 60) * 1000);
  const token = mintTeamsUserAadToken({ appId, userObjectId, tenantId, expiresOn }, state.store.secrets.entra, now);
  return { status: 200, body: { token, expiresOn: expiresOn.toISOString() } };
}

function mintEntra({ body, state }: ControlRequest): ControlReply {
  const request = requireObject(body);
  try {
    // mintEntraToken checks every option itself (a TypeError naming it).
    const minted = mintEntraToken(request as unknown as EntraTokenOptions, state.store.secrets, state.clock.now());
    return { status: 200, body: { token: minted.token, expiresOn: new Date(minted.expiresOnTimestamp).toISOString() } };
  } catch (error) {
    // mintEntraToken names the option: "options.scopes: …".
    if (error instanceof TypeError) throw validation(error.message.replace(/^options\./, ""), /^options\.(\w+)/.exec(error.message)?.[1]);
    throw error;
  }
}

function clockBody(clock: EmulatorClock): { offsetSeconds: number; now: string } {
  return { offsetSeconds: clock.offsetSeconds, now: clock.now().toISOString() };
}

function setClock({ body, state }: ControlRequest): ControlReply {
  const request = requireObject(body);
  if (typeof request.offsetSeconds !== "number" || !Number.isFinite(request.offsetSeconds)) {
    throw validation("offsetSeconds must be a number (seconds from real time; 0 puts the clock back).", "offsetSeconds");
  }
  state.clock.setOffset(request.offsetSeconds);
  return ok(clockBody(state.clock));
}

function listRequests({ query, state }: ControlRequest): ControlReply {
  const after = Number(query.get("after") ?? "0");
  if (!Number.isInteger(after) || after < 0) throw validation("after must be a non-negative integer.", "after");
  return ok({ value: state.log.list(after), total: state.log.total });
}

function verifyToken({ body, state }: ControlRequest): ControlReply {
  const request = requireObject(body);
  if (typeof request.token !== "string") throw validation("The token field is required and must be a string.", "token");
  return ok(verifyAccessToken(state.store, request.token, state.clock.now()));
}

// ---- helpers --------------------------------------------------------------------------------

function requireString(request: Record<string, unknown>, field: string): string {
  const value = request[field];
  if (typeof value !== "string" || value.trim() === "") throw validation(`${field} is required and must be a non-empty string.`, field);
  return value;
}

function segments(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}

/** The first non-empty segment of a path ("" for `/`), as `segments` would give it. */
function firstSegment(path: string): string {
  let start = 0;
  while (path.charCodeAt(start) === 47 /* / */) start++;
  const end = path.indexOf("/", start);
  return end < 0 ? path.slice(start) : path.slice(start, end);
}

type TablePatterns = ReadonlyArray<readonly string[]> & { readonly firsts: { has(segment: string): boolean } };

/** Each route's path as segments (and the first segments they start with), split once per table rather than once per request. */
const tableSegments = new WeakMap<readonly ControlRoute[], TablePatterns>();
function templateSegments(routes: readonly ControlRoute[]): TablePatterns {
  let split = tableSegments.get(routes);
  if (split?.length !== routes.length) {
    const patterns = routes.map((route) => segments(route.path));
    // A `{name}` first segment would match any path: then every path is a candidate.
    const firsts = patterns.some((pattern) => pattern[0]?.startsWith("{")) ? { has: () => true } : new Set(patterns.map((pattern) => pattern[0] ?? ""));
    split = Object.assign(patterns, { firsts });
    tableSegments.set(routes, split);
  }
  return split;
}

function matchTemplate(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith("{") && pattern[i].endsWith("}")) params[pattern[i].slice(1, -1)] = parts[i];
    else if (pattern[i] !== parts[i]) return undefined;
  }
  return params;
}
