/**
 * The REST surface: the routes and api-versions come from the spec (generated/routeTable.ts, emitted by
 * `npm run generate` at the repository root from the same spec as the SDK's layer); the handlers are hand-written
 * (identityHandlers.ts, accessHandlers.ts) and registered below by operation name. Each handler validates its input
 * like the service (CONTRACT §7) and returns a status and body; HTTP plumbing lives in server.ts.
 */
import { accessHandlers } from "./accessHandlers.js";
import { EmulatorHttpError } from "./errors.js";
import { apiVersions, generatedRoutes, newestApiVersion, type ApiVersion, type GeneratedRoute, type OperationName } from "./generated/routeTable.js";
import type { VerifiedEntraToken } from "./entraTokens.js";
import { identityHandlers } from "./identityHandlers.js";
import type { IdentityStore } from "./identityStore.js";

/** Every api-version the emulator serves, oldest first (from the spec). */
export const SUPPORTED_API_VERSIONS = apiVersions;
export { newestApiVersion, type ApiVersion, type OperationName };

export interface RouteContext {
  store: IdentityStore;
  /** The api-version the request is served with (an unknown one under `loose` is the newest). */
  apiVersion: ApiVersion;
  params: Record<string, string>;
  /** The parsed JSON body; undefined when the body was empty. */
  body: unknown;
  now: Date;
  /** The caller's verified Entra ID token, on the routes it authenticates (the access exchanges). */
  caller?: VerifiedEntraToken;
  /** The request's query string. */
  query?: URLSearchParams;
  /** `http(s)://host:port` as the client addressed it, for absolute `nextLink`s. */
  origin?: string;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  /** The body as JSON text, exactly `JSON.stringify(body)`, where the handler has it at hand (a token answer, per request). */
  json?: string;
}

export type Handler = (context: RouteContext) => RouteResult;

/**
 * How a route that the caller's own token authenticates (the access exchanges) checks it: from the Authorization
 * header alone, before the body is read; throws the 401 to answer, else returns the verified token.
 */
export type CallerAuthentication = (authorization: string | undefined, store: IdentityStore, now: Date) => VerifiedEntraToken;

/** A hand-written handler; `authenticateCaller` replaces the resource's credentials (HMAC or bearer) on its route. */
export interface RegisteredHandler {
  handle: Handler;
  authenticateCaller?: CallerAuthentication;
}

export interface Route {
  method: GeneratedRoute["method"];
  /** Spelled like the spec, for messages. */
  template: string;
  /** The template's segments; `{name}` captures one (percent-decoded) segment. */
  segments: readonly string[];
  /** Versions that have this operation. */
  versions: readonly ApiVersion[];
  /** The spec's operation. */
  operation: OperationName;
  /** Set where the caller's own token authenticates the request (the access exchanges); else the resource's credentials. */
  authenticateCaller?: CallerAuthentication;
  handle: Handler;
}

/**
 * The hand-written handlers, by the operation name of generated/routeTable.ts. To serve an operation the
 * table has, add one line `OperationName: { handle },` to identityHandlers.ts or accessHandlers.ts (the handler gets the request's api-version, and
 * `versionHasProperty` says what that version's spec has); until then the route answers 501 NotImplemented.
 * The table decides paths, methods and versions: no handler can add or widen one.
 */
const handlers: Partial<Record<OperationName, RegisteredHandler>> = { ...identityHandlers, ...accessHandlers };

function notImplemented(route: GeneratedRoute): Handler {
  return () => {
    throw new EmulatorHttpError(501, "NotImplemented", `The emulator does not implement ${route.method} ${route.template} (${route.operation}) yet.`);
  };
}

const segmentsOf = (template: string): readonly string[] => template.split("/").filter((segment) => segment !== "");

// The emulator's own endpoints (`/_emulator/…`, the Entra ID authority) are not here: server.ts answers them first.
const routes: readonly Route[] = generatedRoutes.map((route): Route => {
  const registered = handlers[route.operation];
  return {
    method: route.method,
    template: route.template,
    segments: segmentsOf(route.template),
    versions: route.versions,
    operation: route.operation,
    ...(registered?.authenticateCaller ? { authenticateCaller: registered.authenticateCaller } : {}),
    handle: registered?.handle ?? notImplemented(route),
  };
});

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "not-found" };

/** The last request matched, and its match (a client asks for the same path again and again). */
let matchedMethod = "";
let matchedPath: string | undefined;
let matched: RouteMatch = { kind: "not-found" };

/** Matches a raw (still percent-encoded) path against the table. */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  // The table never changes, so the same method and path match the same way; each caller gets its own copy.
  if (rawPath !== matchedPath || method !== matchedMethod) {
    matched = matchTable(method, rawPath);
    matchedPath = rawPath;
    matchedMethod = method;
  }
  if (matched.kind === "found") return { kind: "found", route: matched.route, params: { ...matched.params } };
  return matched.kind === "wrong-method" ? { kind: "wrong-method", allowed: [...matched.allowed] } : { kind: "not-found" };
}

function matchTable(method: string, rawPath: string): RouteMatch {
  const parts = pathParts(rawPath);
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchSegments(route.segments, parts);
    if (!params) continue;
    if (route.method === method) return { kind: "found", route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "not-found" };
}

/**
 * The path's segments: leading slashes dropped (communication-common appends `/access/...` to an endpoint that may
 * end in `/`: `//access/...` is the same path) and one trailing empty segment (a trailing `/`); inner empty ones stay.
 */
function pathParts(rawPath: string): string[] {
  let start = 0;
  while (rawPath.charCodeAt(start) === 47 /* / */) start++;
  if (start === rawPath.length) return [];
  const parts = rawPath.slice(start).split("/");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function matchSegments(pattern: readonly string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  // The literal segments first: most routes of the same length fail there, before any params are built.
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i];
    if (expected.startsWith("{")) continue;
    let actual = parts[i];
    if (actual.includes("%")) {
      try {
        actual = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    }
    if (actual !== expected) return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith("{")) params[pattern[i].slice(1, -1)] = parts[i];
  }
  return params;
}
