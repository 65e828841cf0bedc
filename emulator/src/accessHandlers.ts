/**
 * Teams Phone extensibility and Entra ID access: assignment CRUD (authenticated like the identity routes) and
 * the two token exchanges (authenticated by the caller's Entra ID token). State in assignmentStore.ts, test Entra
 * tokens in entraTokens.ts.
 *
 * Refusals of an exchange:
 * - 401 `InvalidAccessToken` ("Provided access token is not valid."), as the Teams-user exchange answers, for a
 *   missing bearer token, one this emulator did not sign, one for the other route's audience, or an expired one.
 *   Checked from the Authorization header before the body is read (`authenticateCaller`).
 * - 403 `AccessNotAssigned` when no assignment covers the token's tenant, object id (Entra: the user, one of its
 *   groups or the tenant) and app id. The message names the three ids (never the token).
 */
import { formatServiceDate, issueAccessToken } from "./acsTokens.js";
import type { EntraAssignment, EntraPrincipalType, TeamsExtensionAssignment, TeamsExtensionPrincipalType } from "./assignmentStore.js";
import { verifyEntraToken, type VerifiedEntraToken } from "./entraTokens.js";
import { accessNotAssigned, assignmentNotFound, invalidAccessToken, validation } from "./errors.js";
import { generatedRoutes, type OperationName } from "./generated/routeTable.js";
import type { IdentityStore } from "./identityStore.js";
import { GUID, isObject, requireObject } from "./jsonInput.js";
import type { CallerAuthentication, RegisteredHandler, RouteContext, RouteResult } from "./routes.js";

const TEAMS_EXTENSION_PRINCIPALS: readonly TeamsExtensionPrincipalType[] = ["resourceAccount", "user"];
const ENTRA_PRINCIPALS: readonly EntraPrincipalType[] = ["user", "group", "tenant"];
/** Entra assignments per page of `GET /access/entra/assignments`; `skip` in the nextLink is the emulator's own. */
export const ENTRA_PAGE_SIZE = 50;
/** The list's own path, for its nextLink (from the spec, like every route). */
const ENTRA_ASSIGNMENTS = generatedRoutes.find((route) => route.operation === "EntraIdAssignments_List")!.template;

/**
 * The access operations' handlers, by operation name of generated/routeTable.ts (which decides paths, methods and
 * versions). The exchanges authenticate the caller's Entra token (`authenticateCaller`) instead of the resource's credentials.
 */
export const accessHandlers: Partial<Record<OperationName, RegisteredHandler>> = {
  TeamsExtensionAssignment_Get: { handle: getTeamsExtensionAssignment },
  TeamsExtensionAssignment_Upsert: { handle: upsertTeamsExtensionAssignment },
  TeamsExtensionAssignment_Delete: { handle: deleteTeamsExtensionAssignment },
  TeamsExtensionToken_Exchange: { handle: (context) => exchange(context, "teamsExtension"), authenticateCaller: callerAuthentication("teamsExtension") },
  EntraIdAssignments_List: { handle: listEntraAssignments },
  EntraIdAssignments_Update: { handle: updateEntraAssignments },
  EntraIdAssignment_Get: { handle: getEntraAssignment },
  EntraIdAssignment_Upsert: { handle: upsertEntraAssignment },
  EntraIdAssignment_Delete: { handle: deleteEntraAssignment },
  EntraIdToken_Exchange: { handle: (context) => exchange(context, "entra"), authenticateCaller: callerAuthentication("entra") },
};

// ---- Teams Phone extensibility -----------------------------------------------------------------

function getTeamsExtensionAssignment({ store, params }: RouteContext): RouteResult {
  const tenantId = guidParam(params.tenantId, "tenantId");
  const objectId = guidParam(params.objectId, "objectId");
  const assignment = store.assignments.getTeamsExtension(tenantId, objectId);
  if (!assignment) throw assignmentNotFound();
  return { status: 200, body: teamsExtensionBody(assignment) };
}

function upsertTeamsExtensionAssignment({ store, params, body }: RouteContext): RouteResult {
  const tenantId = guidParam(params.tenantId, "tenantId");
  const objectId = guidParam(params.objectId, "objectId");
  const request = requireObject(body);
  const principalType = readPrincipalType(request.principalType, TEAMS_EXTENSION_PRINCIPALS, "principalType");
  const assignment: TeamsExtensionAssignment = { objectId, tenantId, principalType };
  if (request.clientIds !== undefined && request.clientIds !== null) assignment.clientIds = readClientIds(request.clientIds, "clientIds");
  const { created, assignment: stored } = store.assignments.upsertTeamsExtension(assignment);
  return { status: created ? 201 : 200, body: teamsExtensionBody(stored) };
}

/** 204 whether or not it existed (deleting is idempotent, as Azure REST DELETEs are). */
function deleteTeamsExtensionAssignment({ store, params }: RouteContext): RouteResult {
  store.assignments.deleteTeamsExtension(guidParam(params.tenantId, "tenantId"), guidParam(params.objectId, "objectId"));
  return { status: 204 };
}

function teamsExtensionBody(assignment: TeamsExtensionAssignment): Record<string, unknown> {
  const body: Record<string, unknown> = { objectId: assignment.objectId, tenantId: assignment.tenantId, principalType: assignment.principalType };
  if (assignment.clientIds !== undefined) body.clientIds = assignment.clientIds;
  return body;
}

// ---- Entra ID -----------------------------------------------------------------------------------

function listEntraAssignments({ store, apiVersion, query, origin }: RouteContext): RouteResult {
  const rawSkip = query?.get("skip") ?? "0";
  if (!/^\d{1,9}$/.test(rawSkip)) throw validation("skip must be a non-negative integer.", "skip");
  const skip = Number(rawSkip);
  const all = store.assignments.listEntra();
  const page = all.slice(skip, skip + ENTRA_PAGE_SIZE);
  const body: { value: EntraAssignment[]; nextLink?: string } = { value: page.map(entraBody) };
  if (skip + ENTRA_PAGE_SIZE < all.length) {
    const next = new URLSearchParams({ "api-version": apiVersion, skip: String(skip + ENTRA_PAGE_SIZE) });
    body.nextLink = `${origin ?? ""}${ENTRA_ASSIGNMENTS}?${next.toString()}`;
  }
  return { status: 200, body };
}

function getEntraAssignment({ store, params }: RouteContext): RouteResult {
  const assignment = store.assignments.getEntra(guidParam(params.objectId, "objectId"));
  if (!assignment) throw assignmentNotFound();
  return { status: 200, body: entraBody(assignment) };
}

function upsertEntraAssignment({ store, params, body }: RouteContext): RouteResult {
  const objectId = guidParam(params.objectId, "objectId");
  const assignment = readEntraAssignment(objectId, requireObject(body), "");
  const { created, assignment: stored } = store.assignments.upsertEntra(assignment);
  return { status: created ? 201 : 200, body: entraBody(stored) };
}

function deleteEntraAssignment({ store, params }: RouteContext): RouteResult {
  store.assignments.deleteEntra(guidParam(params.objectId, "objectId"));
  return { status: 204 };
}

/**
 * JSON merge patch (RFC 7396) of the map objectId → assignment: `null` removes one, an object is merged into the
 * existing assignment (or creates one) and must then be complete. All members are checked before any is applied.
 * Answers 200 with the assignments the patch created or changed, in the patch's order.
 */
function updateEntraAssignments({ store, body }: RouteContext): RouteResult {
  const patch = requireObject(body);
  const changes: Array<{ objectId: string; assignment: EntraAssignment | null }> = [];
  for (const key of Object.keys(patch)) {
    if (!GUID.test(key)) throw validation(`Provided objectId '${key}' has invalid format.`, key);
    const member = patch[key];
    if (member === null) {
      changes.push({ objectId: key, assignment: null });
      continue;
    }
    if (!isObject(member)) throw validation("Each assignment must be a JSON object or null.", key);
    const existing = store.assignments.getEntra(key);
    const merged: Record<string, unknown> = existing ? { tenantId: existing.tenantId, principalType: existing.principalType, clientIds: existing.clientIds } : {};
    for (const [name, value] of Object.entries(member)) {
      if (value === null) delete merged[name];
      else merged[name] = value;
    }
    changes.push({ objectId: existing?.objectId ?? key, assignment: readEntraAssignment(existing?.objectId ?? key, merged, `${key}.`) });
  }
  const value: EntraAssignment[] = [];
  for (const { objectId, assignment } of changes) {
    if (assignment === null) store.assignments.deleteEntra(objectId);
    else value.push(entraBody(store.assignments.upsertEntra(assignment).assignment));
  }
  return { status: 200, body: { value } };
}

function readEntraAssignment(objectId: string, request: Record<string, unknown>, targetPrefix: string): EntraAssignment {
  if (request.tenantId === undefined || request.tenantId === null) throw validation("The tenantId field is required.", `${targetPrefix}tenantId`);
  if (typeof request.tenantId !== "string" || !GUID.test(request.tenantId)) {
    throw validation("Provided tenantId has invalid format.", `${targetPrefix}tenantId`);
  }
  const principalType = readPrincipalType(request.principalType, ENTRA_PRINCIPALS, `${targetPrefix}principalType`);
  if (request.clientIds === undefined || request.clientIds === null) throw validation("The clientIds field is required.", `${targetPrefix}clientIds`);
  const clientIds = readClientIds(request.clientIds, `${targetPrefix}clientIds`);
  return { objectId, tenantId: request.tenantId, principalType, clientIds };
}

function entraBody(assignment: EntraAssignment): EntraAssignment {
  return { objectId: assignment.objectId, tenantId: assignment.tenantId, principalType: assignment.principalType, clientIds: assignment.clientIds };
}

// ---- exchange -----------------------------------------------------------------------------------

type ExchangePurpose = "teamsExtension" | "entra";

/** Verifies the exchange's `Authorization: Bearer <Entra ID token>` (the 401 to answer otherwise), before its body is read. */
function callerAuthentication(purpose: ExchangePurpose): CallerAuthentication {
  return (authorization: string | undefined, store: IdentityStore, now: Date): VerifiedEntraToken => {
    const token = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
    if (token === undefined) {
      throw invalidAccessToken().explain({ code: "MissingEntraToken", header: "authorization", message: "Send the user's Entra ID token as Authorization: Bearer <token>." });
    }
    const check = verifyEntraToken(token, purpose, store.secrets, now);
    if (!check.ok) {
      throw invalidAccessToken().explain({ code: `EntraToken_${check.reason}`, message: entraTokenProblem(check.reason, purpose) });
    }
    return check.token;
  };
}

function exchange({ store, body, now, caller }: RouteContext, purpose: ExchangePurpose): RouteResult {
  if (body !== undefined && !isObject(body)) throw validation("The request body must be a JSON object.");
  // The route's authenticateCaller verified it before the body was read.
  const principal = caller!;
  const tenantId = principal.tenantId.toLowerCase();
  const objectId = principal.objectId.toLowerCase();
  let id: string;
  let scopes: string[];
  if (purpose === "teamsExtension") {
    if (!store.assignments.teamsExtensionCovering(principal)) {
      throw accessNotAssigned(
        `No Teams Phone extensibility assignment of this resource covers tenant ${principal.tenantId}, object ${principal.objectId} and client ${principal.appId}.`,
      );
    }
    id = `8:acs:${store.keys.resourceId}_${tenantId}_${objectId}`;
    scopes = ["voip"];
  } else {
    if (!store.assignments.entraCovering(principal)) {
      throw accessNotAssigned(
        `No Entra ID assignment of this resource covers tenant ${principal.tenantId} (as the user ${principal.objectId}, one of its groups or the tenant) for client ${principal.appId}.`,
      );
    }
    id = `8:acs:${store.keys.resourceId}_wf_${tenantId}_${objectId}`;
    scopes = acsScopesOf(principal.scopes);
  }
  const accessToken = issueAccessToken(store, id, scopes, now, principal.expiresOn);
  return { status: 200, body: { identity: { id }, accessToken: { token: accessToken.token, expiresOn: formatServiceDate(principal.expiresOn) } } };
}

/** `…/clients/VoIP` → `voip`, `…/clients/Chat` → `chat`; `.default` grants both. */
function acsScopesOf(entraScopes: readonly string[]): string[] {
  const names = entraScopes.map((scope) => scope.slice(scope.lastIndexOf("/") + 1).toLowerCase());
  const scopes = new Set(names.flatMap((name) => (name === ".default" ? ["chat", "voip"] : name === "" ? [] : [name])));
  return scopes.size === 0 ? ["chat", "voip"] : [...scopes];
}

function entraTokenProblem(reason: string, purpose: ExchangePurpose): string {
  switch (reason) {
    case "expired":
      return "The Entra ID token has expired.";
    case "not-yet-valid":
      return "The Entra ID token is not valid yet.";
    case "wrong-audience":
      return purpose === "entra"
        ? "The Entra ID token is not for https://communication.azure.com/clients/ scopes."
        : "The Entra ID token is not for https://auth.msft.communication.azure.com/ scopes.";
    case "missing-claims":
      return "The Entra ID token lacks a tid, oid, appid or exp claim.";
    default:
      return "The Entra ID token was not issued by this emulator: mint one with emulator.createEntraToken() or emulator.entraTokenCredential().";
  }
}

// ---- validation ---------------------------------------------------------------------------------

function guidParam(raw: string, name: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    value = raw;
  }
  if (!GUID.test(value)) throw validation(`Provided ${name} has invalid format.`, name);
  return value;
}

function readPrincipalType<T extends string>(value: unknown, allowed: readonly T[], target: string): T {
  if (value === undefined || value === null) throw validation("The principalType field is required.", target);
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw validation(`The principalType must be one of ${allowed.join(", ")}.`, target);
  }
  return value as T;
}

function readClientIds(value: unknown, target: string): string[] {
  if (!Array.isArray(value)) throw validation("The clientIds field must be an array of client ids.", target);
  value.forEach((clientId, index) => {
    if (typeof clientId !== "string" || !GUID.test(clientId)) throw validation("Provided client id has invalid format.", `${target}[${index}]`);
  });
  return [...(value as string[])];
}
