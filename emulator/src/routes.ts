/**
 * The REST surface as data: one row per operation of api-versions 2023-10-01 and
 * 2025-03-02-preview, plus the emulator's own test hook. Each handler validates its input
 * like the service (CONTRACT §7) and returns a status and body; HTTP plumbing lives in server.ts.
 */
import { issueAccessToken, formatServiceDate, verifyAccessToken, type IssuedToken } from "./accessTokens.js";
import {
  type EmulatorHttpError,
  identityNotFound,
  identityNotOwned,
  invalidAccessToken,
  messages,
  validation,
} from "./errors.js";
import type { IdentityRecord, IdentityStore } from "./identityStore.js";
import { isObject } from "./jwt.js";
import { checkTeamsUserAadToken } from "./teamsTokens.js";

const STABLE_VERSION = "2023-10-01";
const PREVIEW_VERSION = "2025-03-02-preview";
export const SUPPORTED_API_VERSIONS = [STABLE_VERSION, PREVIEW_VERSION] as const;
export type ApiVersion = (typeof SUPPORTED_API_VERSIONS)[number];

const KNOWN_SCOPES = new Set(["chat", "voip", "chat.join", "chat.join.limited", "voip.join"]);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACS_ID = /^8:acs:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_(.+)$/i;
const DEFAULT_EXPIRES_IN_MINUTES = 1440;

export interface RouteContext {
  store: IdentityStore;
  /** Undefined for routes that take no api-version. */
  apiVersion: ApiVersion | undefined;
  params: Record<string, string>;
  /** The parsed JSON body; undefined when the body was empty. */
  body: unknown;
  now: Date;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface Route {
  method: "GET" | "POST" | "DELETE";
  /** Spelled like the spec, for messages. */
  template: string;
  /** The template's segments; `{name}` captures one (percent-decoded) segment. */
  segments: readonly string[];
  /** Versions that have this operation; `none` for the emulator's own endpoints (no auth, no api-version). */
  versions: readonly ApiVersion[] | "none";
  handle(context: RouteContext): RouteResult;
}

const routes: readonly Route[] = [
  defineRoute("POST", "/identities", SUPPORTED_API_VERSIONS, createIdentity),
  defineRoute("GET", "/identities/{id}", [PREVIEW_VERSION], getIdentity),
  defineRoute("DELETE", "/identities/{id}", SUPPORTED_API_VERSIONS, deleteIdentity),
  defineRoute("POST", "/identities/{id}/:revokeAccessTokens", SUPPORTED_API_VERSIONS, revokeAccessTokens),
  defineRoute("POST", "/identities/{id}/:issueAccessToken", SUPPORTED_API_VERSIONS, issueToken),
  defineRoute("POST", "/teamsUser/:exchangeAccessToken", SUPPORTED_API_VERSIONS, exchangeTeamsUserToken),
  defineRoute("POST", "/_emulator/tokens:verify", "none", verifyToken),
];

function defineRoute(method: Route["method"], template: string, versions: Route["versions"], handle: Route["handle"]): Route {
  return { method, template, segments: template.split("/").filter((segment) => segment !== ""), versions, handle };
}

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "not-found" };

/** Matches a raw (still percent-encoded) path against the table. */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const parts = rawPath.split("/").filter((part, i, all) => !(part === "" && (i === 0 || i === all.length - 1)));
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
    if (apiVersion !== PREVIEW_VERSION) {
      throw validation(`customId requires api-version ${PREVIEW_VERSION}; this request uses ${apiVersion}.`, "customId");
    }
    customId = readCustomId(request.customId);
  }
  const wantsToken = request.createTokenWithScopes !== undefined && request.createTokenWithScopes !== null;
  const scopes = wantsToken ? readScopes(request.createTokenWithScopes, "createTokenWithScopes") : [];
  const expiresOn = readExpiresOn(request.expiresInMinutes, now);

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

function issueToken({ store, params, body, now }: RouteContext): RouteResult {
  const id = parseIdentityId(store, params.id);
  const request = requireObject(body);
  const scopes = readScopes(request.scopes, "scopes");
  const expiresOn = readExpiresOn(request.expiresInMinutes, now);
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

function identityBody(identity: IdentityRecord, apiVersion: ApiVersion | undefined): Record<string, string> {
  const body: Record<string, string> = { id: identity.id };
  if (apiVersion === PREVIEW_VERSION) {
    if (identity.customId !== undefined) body.customId = identity.customId;
    if (identity.lastTokenIssuedAt !== undefined) body.lastTokenIssuedAt = formatServiceDate(new Date(identity.lastTokenIssuedAt));
  }
  return body;
}
