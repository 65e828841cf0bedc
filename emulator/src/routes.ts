/**
 * The REST surface: the routes and api-versions come from the spec (generated/routeTable.ts, emitted by
 * `npm run generate` at the repository root from the same spec as the SDK's layer); the handlers are hand-written
 * and registered below by operation name. Each handler validates its input like the service (CONTRACT §7) and
 * returns a status and body; HTTP plumbing lives in server.ts.
 */
import { accessHandlers } from "./accessHandlers.js";
import { issueAccessToken, formatServiceDate, verifyAccessToken, type IssuedToken } from "./accessTokens.js";
import {
  EmulatorHttpError,
  identityNotFound,
  identityNotOwned,
  invalidAccessToken,
  messages,
  validation,
} from "./errors.js";
import { apiVersions, generatedRoutes, newestApiVersion, versionHasProperty, type ApiVersion, type GeneratedRoute, type OperationName } from "./generated/routeTable.js";
import type { IdentityRecord, IdentityStore } from "./identityStore.js";
import { isObject } from "./jwt.js";
import { checkTeamsUserAadToken } from "./teamsTokens.js";

/** Every api-version the emulator serves, oldest first (from the spec). */
export const SUPPORTED_API_VERSIONS = apiVersions;
export { newestApiVersion, type ApiVersion, type OperationName };

const KNOWN_SCOPES = new Set(["chat", "voip", "chat.join", "chat.join.limited", "voip.join"]);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACS_ID = /^8:acs:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_(.+)$/i;
const DEFAULT_EXPIRES_IN_MINUTES = 1440;

export interface RouteContext {
  store: IdentityStore;
  /** The api-version the request is served with (an unknown one under `loose` is the newest); undefined for the emulator's own routes. */
  apiVersion: ApiVersion | undefined;
  params: Record<string, string>;
  /** The parsed JSON body; undefined when the body was empty. */
  body: unknown;
  now: Date;
  /** The Authorization header (exchange routes authenticate with the caller's Entra token). */
  authorization?: string;
  /** The request's query string. */
  query?: URLSearchParams;
  /** `http(s)://host:port` as the client addressed it, for absolute `nextLink`s. */
  origin?: string;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export type Handler = (context: RouteContext) => RouteResult;

export interface Route {
  method: GeneratedRoute["method"];
  /** Spelled like the spec, for messages. */
  template: string;
  /** The template's segments; `{name}` captures one (percent-decoded) segment. */
  segments: readonly string[];
  /** Versions that have this operation; `none` for the emulator's own endpoints (no auth, no api-version). */
  versions: readonly ApiVersion[] | "none";
  /** The spec's operation; absent for the emulator's own endpoints. */
  operation?: OperationName;
  /** `caller`: the handler authenticates the caller's own token (the access exchanges); default: HMAC or bearer. */
  authentication?: "resource" | "caller";
  handle: Handler;
}

/**
 * The hand-written handlers, by the operation name of generated/routeTable.ts. To serve an operation the
 * table has, add one line `OperationName: handler,` (the handler gets the request's api-version, and
 * `versionHasProperty` says what that version's spec has); until then the route answers 501 NotImplemented.
 * The table decides paths, methods and versions: no handler can add or widen one.
 */
const handlers: Partial<Record<OperationName, { handle: Handler; authentication?: "resource" | "caller" }>> = {
  CommunicationIdentity_Create: { handle: createIdentity },
  CommunicationIdentity_Get: { handle: getIdentity },
  CommunicationIdentity_Delete: { handle: deleteIdentity },
  CommunicationIdentity_RevokeAccessTokens: { handle: revokeAccessTokens },
  CommunicationIdentity_IssueAccessToken: { handle: issueToken },
  CommunicationIdentity_ExchangeTeamsUserAccessToken: { handle: exchangeTeamsUserToken },
};

// Teams Phone extensibility and Entra ID access (accessHandlers.ts), by operation name like the rows above.
Object.assign(handlers, accessHandlers);

function notImplemented(route: GeneratedRoute): Handler {
  return () => {
    throw new EmulatorHttpError(501, "NotImplemented", `The emulator does not implement ${route.method} ${route.template} (${route.operation}) yet.`);
  };
}

const segmentsOf = (template: string): readonly string[] => template.split("/").filter((segment) => segment !== "");

const routes: readonly Route[] = [
  ...generatedRoutes.map((route): Route => {
    const registered = handlers[route.operation];
    return {
      method: route.method,
      template: route.template,
      segments: segmentsOf(route.template),
      versions: route.versions,
      operation: route.operation,
      ...(registered?.authentication ? { authentication: registered.authentication } : {}),
      handle: registered?.handle ?? notImplemented(route),
    };
  }),
  // The emulator's own test hook: not part of the service.
  { method: "POST", template: "/_emulator/tokens:verify", segments: segmentsOf("/_emulator/tokens:verify"), versions: "none", handle: verifyToken },
];

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "not-found" };

/** Matches a raw (still percent-encoded) path against the table. */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  // communication-common appends `/access/...` to an endpoint that may end in `/`: `//access/...` is the same path.
  const parts = rawPath.replace(/^\/+/, "/").split("/").filter((part, i, all) => !(part === "" && (i === 0 || i === all.length - 1)));
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchSegments(route.segments, parts);
    if (!params) continue;
    if (route.method === method) return { kind: "found", route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "not-found" };
}

function matchSegments(pattern: readonly string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i];
    if (expected.startsWith("{")) {
      params[expected.slice(1, -1)] = parts[i];
      continue;
    }
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
  return params;
}

// ---- handlers -------------------------------------------------------------------------------

function createIdentity({ store, apiVersion, body, now }: RouteContext): RouteResult {
  const request = body === undefined ? {} : requireObject(body);
  let customId: string | undefined;
  if (request.customId !== undefined && request.customId !== null) {
    if (!has("CommunicationIdentityCreateRequest", "customId", apiVersion)) {
      throw validation(`customId requires api-version ${versionsWith("CommunicationIdentityCreateRequest", "customId")}; this request uses ${apiVersion}.`, "customId");
    }
    customId = readCustomId(request.customId);
  }
  const wantsToken = request.createTokenWithScopes !== undefined && request.createTokenWithScopes !== null;
  const scopes = wantsToken ? readScopes(request.createTokenWithScopes, "createTokenWithScopes") : [];
  const expiresOn = readExpiresOn(expiresInMinutesOf(request, "CommunicationIdentityCreateRequest", apiVersion), now);

  const identity = store.create(customId);
  // Issued before the identity is written out, so that its lastTokenIssuedAt counts this token.
  const accessToken = wantsToken ? issueAccessToken(store, identity.id, scopes, now, expiresOn) : undefined;
  const result: { identity: Record<string, string>; accessToken?: IssuedToken } = { identity: identityBody(identity, apiVersion) };
  if (accessToken) result.accessToken = accessToken;
  return { status: 201, body: result };
}

function getIdentity({ store, params, apiVersion }: RouteContext): RouteResult {
  const identity = findIdentity(store, params.id);
  return { status: 200, body: identityBody(identity, apiVersion) };
}

function deleteIdentity({ store, params }: RouteContext): RouteResult {
  const identity = findIdentity(store, params.id);
  store.delete(identity.id);
  return { status: 204 };
}

function revokeAccessTokens({ store, params }: RouteContext): RouteResult {
  const identity = findIdentity(store, params.id);
  store.revoke(identity.id);
  return { status: 204 };
}

function issueToken({ store, params, body, now, apiVersion }: RouteContext): RouteResult {
  const id = parseIdentityId(store, params.id);
  const request = requireObject(body);
  const scopes = readScopes(request.scopes, "scopes");
  const expiresOn = readExpiresOn(expiresInMinutesOf(request, "CommunicationIdentityAccessTokenRequest", apiVersion), now);
  const identity = lookUp(store, id);
  return { status: 200, body: issueAccessToken(store, identity.id, scopes, now, expiresOn) };
}

function exchangeTeamsUserToken({ store, body, now }: RouteContext): RouteResult {
  const request = requireObject(body);
  for (const field of ["token", "appId", "userId"] as const) {
    if (request[field] === undefined || request[field] === null) throw validation(`The ${field} field is required.`, field);
    if (typeof request[field] !== "string") throw validation(`The ${field} field must be a string.`, field);
  }
  const { token, appId, userId } = request as { token: string; appId: string; userId: string };
  if (!GUID.test(appId)) throw validation(messages.appIdFormat, "appId");
  if (!GUID.test(userId)) throw validation(messages.userIdFormat, "userId");
  const check = checkTeamsUserAadToken(token, store.secrets.entra, now);
  if (!check.ok) throw invalidAccessToken();
  if (typeof check.appId !== "string" || check.appId.toLowerCase() !== appId.toLowerCase()) {
    throw validation(messages.appIdFormat, "appId");
  }
  if (typeof check.oid !== "string" || check.oid.toLowerCase() !== userId.toLowerCase()) {
    throw validation(messages.userIdFormat, "userId");
  }
  return { status: 200, body: issueAccessToken(store, `8:orgid:${check.oid}`, ["chat", "voip"], now, new Date(check.exp * 1000)) };
}

function verifyToken({ store, body, now }: RouteContext): RouteResult {
  const request = requireObject(body);
  if (typeof request.token !== "string") throw validation("The token field is required and must be a string.", "token");
  return { status: 200, body: verifyAccessToken(store, request.token, now) };
}

// ---- validation -----------------------------------------------------------------------------

function requireObject(body: unknown): Record<string, unknown> {
  if (body === undefined) throw validation("The request body is required.");
  if (!isObject(body)) throw validation("The request body must be a JSON object.");
  return body;
}

function readCustomId(value: unknown): string {
  if (typeof value !== "string") throw validation("CustomId must be a string.", "customId");
  if (value.length < 1 || value.length > 256) throw validation("CustomId must be between 1 and 256 characters long.", "customId");
  return value;
}

function readScopes(value: unknown, target: string): string[] {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw validation(messages.scopesRequired, target);
  }
  if (!Array.isArray(value) || value.some((s) => typeof s !== "string")) {
    throw validation("Invalid scopes - Scopes must be an array of strings.", target);
  }
  const unknown = value.find((s: string) => !KNOWN_SCOPES.has(s));
  if (unknown !== undefined) throw validation(`Invalid scopes - Scope '${unknown}' is not supported.`, target);
  return value as string[];
}

/** The expiry `expiresInMinutes` (default a day) after `now`. */
function readExpiresOn(value: unknown, now: Date): Date {
  if (value === undefined || value === null) value = DEFAULT_EXPIRES_IN_MINUTES;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 60 || value > 1440) {
    throw validation(messages.expiresInMinutes(typeof value === "string" ? value : JSON.stringify(value)), "ExpiresInMinutes");
  }
  return new Date(now.getTime() + value * 60_000);
}

/** Well-formed ACS id of this resource, or the 400/401 the service answers. */
function parseIdentityId(store: IdentityStore, raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw malformedId();
  }
  const match = ACS_ID.exec(id);
  if (!match) throw malformedId();
  if (match[1].toLowerCase() !== store.keys.resourceId) throw identityNotOwned();
  return id;
}

function lookUp(store: IdentityStore, id: string): IdentityRecord {
  const identity = store.get(id);
  if (!identity) throw identityNotFound();
  return identity;
}

function findIdentity(store: IdentityStore, raw: string): IdentityRecord {
  return lookUp(store, parseIdentityId(store, raw));
}

function malformedId(): EmulatorHttpError {
  return validation("Provided identity has invalid format.", "id");
}

/** The identity as the version's spec describes it (customId and lastTokenIssuedAt only where it has them). */
function identityBody(identity: IdentityRecord, apiVersion: ApiVersion | undefined): Record<string, string> {
  const body: Record<string, string> = { id: identity.id };
  if (identity.customId !== undefined && has("CommunicationIdentity", "customId", apiVersion)) body.customId = identity.customId;
  if (identity.lastTokenIssuedAt !== undefined && has("CommunicationIdentity", "lastTokenIssuedAt", apiVersion)) {
    body.lastTokenIssuedAt = formatServiceDate(new Date(identity.lastTokenIssuedAt));
  }
  return body;
}

// ---- per-version rules (from the spec) ---------------------------------------------------------

const has = (model: string, property: string, apiVersion: ApiVersion | undefined): boolean =>
  versionHasProperty(model, property, apiVersion ?? newestApiVersion);

const versionsWith = (model: string, property: string): string => apiVersions.filter((version) => versionHasProperty(model, property, version)).join(" or ");

/**
 * `expiresInMinutes` where the version's spec has it; before 2022-10-01 the spec has no such property,
 * and the service ignores it and issues its default 24-hour token.
 */
function expiresInMinutesOf(request: Record<string, unknown>, model: string, apiVersion: ApiVersion | undefined): unknown {
  return has(model, "expiresInMinutes", apiVersion) ? request.expiresInMinutes : undefined;
}
