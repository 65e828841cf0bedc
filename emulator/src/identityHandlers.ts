/**
 * The identity operations (users, tokens, the Teams-user exchange): hand-written handlers registered by operation
 * name in routes.ts, which takes paths, methods and versions from the generated table. State in identityStore.ts,
 * tokens in acsTokens.ts.
 */
import { issueAccessToken, issuedTokenJson, formatServiceDate, type IssuedToken } from "./acsTokens.js";
import { identityNotFound, identityNotOwned, invalidAccessToken, messages, validation, type EmulatorHttpError } from "./errors.js";
import { apiVersions, versionHasProperty, type ApiVersion, type OperationName } from "./generated/routeTable.js";
import type { IdentityRecord, IdentityStore } from "./identityStore.js";
import { GUID, requireObject } from "./jsonInput.js";
import type { RegisteredHandler, RouteContext, RouteResult } from "./routes.js";
import { checkTeamsUserAadToken } from "./teamsTokens.js";

const KNOWN_SCOPES = new Set(["chat", "voip", "chat.join", "chat.join.limited", "voip.join"]);
const ACS_ID = /^8:acs:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_(.+)$/i;
const DEFAULT_EXPIRES_IN_MINUTES = 1440;

/** The identity operations' handlers, by operation name of generated/routeTable.ts. */
export const identityHandlers: Partial<Record<OperationName, RegisteredHandler>> = {
  CommunicationIdentity_Create: { handle: createIdentity },
  CommunicationIdentity_Get: { handle: getIdentity },
  CommunicationIdentity_Delete: { handle: deleteIdentity },
  CommunicationIdentity_RevokeAccessTokens: { handle: revokeAccessTokens },
  CommunicationIdentity_IssueAccessToken: { handle: issueToken },
  CommunicationIdentity_ExchangeTeamsUserAccessToken: { handle: exchangeTeamsUserToken },
};

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
  const issued = issueAccessToken(store, identity.id, scopes, now, expiresOn);
  return { status: 200, body: issued, json: issuedTokenJson(issued) };
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

// ---- validation -----------------------------------------------------------------------------

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

// The last id accepted: a client asks for tokens of the same identity again and again.
let acceptedRaw: string | undefined;
let acceptedResource: string | undefined;
let acceptedId = "";

/** Well-formed ACS id of this resource, or the 400/401 the service answers. */
function parseIdentityId(store: IdentityStore, raw: string): string {
  if (raw === acceptedRaw && store.keys.resourceId === acceptedResource) return acceptedId;
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw malformedId();
  }
  const match = ACS_ID.exec(id);
  if (!match) throw malformedId();
  if (match[1].toLowerCase() !== store.keys.resourceId) throw identityNotOwned();
  acceptedRaw = raw;
  acceptedResource = store.keys.resourceId;
  acceptedId = id;
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
function identityBody(identity: IdentityRecord, apiVersion: ApiVersion): Record<string, string> {
  const body: Record<string, string> = { id: identity.id };
  if (identity.customId !== undefined && has("CommunicationIdentity", "customId", apiVersion)) body.customId = identity.customId;
  if (identity.lastTokenIssuedAt !== undefined && has("CommunicationIdentity", "lastTokenIssuedAt", apiVersion)) {
    body.lastTokenIssuedAt = formatServiceDate(new Date(identity.lastTokenIssuedAt));
  }
  return body;
}

// ---- per-version rules (from the spec) ---------------------------------------------------------

const has = (model: string, property: string, apiVersion: ApiVersion): boolean => versionHasProperty(model, property, apiVersion);

/** The versions whose spec has `model.property`, oldest first. */
const versionsHaving = (model: string, property: string): ApiVersion[] => apiVersions.filter((version) => versionHasProperty(model, property, version));

const versionsWith = (model: string, property: string): string => versionsHaving(model, property).join(" or ");

/**
 * `expiresInMinutes` where the version's spec has it; before 2022-10-01 the spec has no such property,
 * and the service ignores it and issues its default 24-hour token.
 */
function expiresInMinutesOf(request: Record<string, unknown>, model: ExpiringModel, apiVersion: ApiVersion): unknown {
  return VERSIONS_WITH_EXPIRES_IN_MINUTES[model].has(apiVersion) ? request.expiresInMinutes : undefined;
}

type ExpiringModel = "CommunicationIdentityCreateRequest" | "CommunicationIdentityAccessTokenRequest";

/** Asked on every token request: the spec's answer per version, worked out once. */
const VERSIONS_WITH_EXPIRES_IN_MINUTES: Record<ExpiringModel, ReadonlySet<ApiVersion>> = {
  CommunicationIdentityCreateRequest: new Set(versionsHaving("CommunicationIdentityCreateRequest", "expiresInMinutes")),
  CommunicationIdentityAccessTokenRequest: new Set(versionsHaving("CommunicationIdentityAccessTokenRequest", "expiresInMinutes")),
};
