/**
 * Test Entra ID access tokens: minted by the emulator for one tenant, user (object id) and app, and
 * checked by the purpose they are presented for.
 *
 * - Scope `https://communication.azure.com//.default` (or `https://communication.azure.com/.default`): a bearer
 *   token for the identity and access management API (`Authorization: Bearer` on `/identities`, `/access/.../assignments`),
 *   signed with the resource's bearer secret, so `verifyBearer` accepts it like `tokenCredential()`'s tokens.
 * - Scopes under `https://auth.msft.communication.azure.com/` (or `.azure.us/`): a Teams Phone extensibility token
 *   for `POST /access/teamsExtension/:exchangeAccessToken`.
 * - Scopes under `https://communication.azure.com/clients/`: an Entra ID user token for `POST /access/entra/:exchangeAccessToken`.
 *
 * Exchange tokens are signed with the resource's Entra test secret; a token signed otherwise, expired, or minted for
 * another purpose does not verify.
 */
import { randomUUID } from "node:crypto";
import { signJwt, verifyJwt } from "./jwt.js";

/** What a test Entra ID token is for; decided by its scopes. */
export type EntraTokenPurpose = "management" | "teamsExtension" | "entra";

/** The claims a test Entra ID token carries. */
export interface EntraTokenOptions {
  /** The Entra tenant: the `tid` claim. */
  tenantId: string;
  /** The user's (or service principal's) object id: the `oid` claim. */
  objectId: string;
  /** The application (client) id the token was issued to: the `appid` and `azp` claims. */
  appId: string;
  /** The scopes asked for; all of one resource (see the module's description). */
  scopes: readonly string[];
  /** Lifetime from the emulator's clock; default 60. Zero or less mints an already expired token (for tests). */
  expiresInMinutes?: number;
  /** Group object ids the user belongs to: the `groups` claim (an Entra assignment may name a group). */
  groups?: readonly string[];
}

/** A minted token and when it expires (epoch milliseconds, whole seconds), as a `TokenCredential` answers. */
export interface MintedEntraToken {
  token: string;
  expiresOnTimestamp: number;
  purpose: EntraTokenPurpose;
}

/** The two secrets that sign test Entra tokens (the `secrets` of the emulator's store). */
export interface EntraTokenSecrets {
  /** Signs management bearer tokens (checked by bearerVerifier.ts). */
  readonly bearer: Buffer;
  /** Signs exchange tokens (and the Teams-user tokens of teamsTokens.ts). */
  readonly entra: Buffer;
}

/** The management API's audience: what `bearerVerifier.ts` requires. */
export const MANAGEMENT_AUDIENCE = "https://communication.azure.com";
const TEAMS_EXTENSION_RESOURCES = ["https://auth.msft.communication.azure.com", "https://auth.msft.communication.azure.us"];
const ENTRA_CLIENTS_RESOURCE = "https://communication.azure.com/clients";
const DEFAULT_LIFETIME_MINUTES = 60;
const ISSUER = "https://login.emulator.invalid";

/** The scope the SDKs ask management bearer tokens for (the double slash is the real string). */
export const MANAGEMENT_SCOPE = `${MANAGEMENT_AUDIENCE}//.default`;
const MANAGEMENT_SCOPES = new Set([MANAGEMENT_SCOPE, `${MANAGEMENT_AUDIENCE}/.default`]);

/** The purpose of a scope list, or a message saying why it has none (mixed or unknown resources). */
export function entraTokenPurpose(scopes: readonly string[]): EntraTokenPurpose | { problem: string } {
  if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((scope) => typeof scope !== "string")) {
    return { problem: "scopes must be a non-empty array of strings" };
  }
  const purposes = new Set(scopes.map(purposeOfScope));
  if (purposes.has(undefined)) {
    return {
      problem: `every scope must be ${MANAGEMENT_SCOPE} or start with ${[...TEAMS_EXTENSION_RESOURCES, ENTRA_CLIENTS_RESOURCE].map((r) => `${r}/`).join(", ")}`,
    };
  }
  if (purposes.size > 1) return { problem: "scopes must all belong to one resource (Entra ID issues a token for one audience)" };
  return [...purposes][0]!;
}

function purposeOfScope(scope: string): EntraTokenPurpose | undefined {
  if (MANAGEMENT_SCOPES.has(scope)) return "management";
  if (TEAMS_EXTENSION_RESOURCES.some((resource) => scope.startsWith(`${resource}/`))) return "teamsExtension";
  if (scope.startsWith(`${ENTRA_CLIENTS_RESOURCE}/`)) return "entra";
  return undefined;
}

/**
 * Mints a test Entra ID access token (an HS256 JWT) for the scopes asked. Throws a `TypeError` naming the option
 * that is wrong (never one that contains a secret).
 *
 * @example
 * ```ts
 * const { token } = mintEntraToken({ tenantId, objectId, appId, scopes: ["https://communication.azure.com/clients/VoIP"] }, store.secrets, new Date());
 * ```
 * @param options - Tenant, object id, app id, scopes, lifetime and groups.
 * @param secrets - The emulator store's secrets.
 * @param now - The emulator's clock.
 */
export function mintEntraToken(options: EntraTokenOptions, secrets: EntraTokenSecrets, now: Date): MintedEntraToken {
  if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
  for (const name of ["tenantId", "objectId", "appId"] as const) {
    if (typeof options[name] !== "string" || options[name].trim() === "") throw new TypeError(`options.${name} must be a non-empty string`);
  }
  const purpose = entraTokenPurpose(options.scopes);
  if (typeof purpose === "object") throw new TypeError(`options.scopes: ${purpose.problem}`);
  const minutes = options.expiresInMinutes ?? DEFAULT_LIFETIME_MINUTES;
  if (typeof minutes !== "number" || !Number.isFinite(minutes)) throw new TypeError("options.expiresInMinutes must be a finite number");
  const groups = options.groups;
  if (groups !== undefined && (!Array.isArray(groups) || groups.some((group) => typeof group !== "string"))) {
    throw new TypeError("options.groups must be an array of strings");
  }

  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + Math.round(minutes * 60);
  const audience = purpose === "management" ? MANAGEMENT_AUDIENCE : resourceOf(options.scopes[0], purpose);
  const claims: Record<string, unknown> = {
    aud: audience,
    iss: `${ISSUER}/${options.tenantId}/v2.0`,
    tid: options.tenantId,
    oid: options.objectId,
    sub: options.objectId,
    appid: options.appId,
    azp: options.appId,
    // Full scope strings: a reader of the token sees exactly what was asked for.
    scp: options.scopes.join(" "),
    iat,
    nbf: Math.min(iat, exp),
    exp,
    uti: randomUUID(),
  };
  if (groups !== undefined) claims.groups = [...groups];
  const token = signJwt(claims, purpose === "management" ? secrets.bearer : secrets.entra);
  return { token, expiresOnTimestamp: exp * 1000, purpose };
}

function resourceOf(scope: string, purpose: EntraTokenPurpose): string {
  if (purpose === "entra") return ENTRA_CLIENTS_RESOURCE;
  return TEAMS_EXTENSION_RESOURCES.find((resource) => scope.startsWith(`${resource}/`))!;
}

/** The claims an exchange reads from a verified token. */
export interface VerifiedEntraToken {
  tenantId: string;
  objectId: string;
  appId: string;
  groups: string[];
  /** The `scp` claim, split (full scope strings as minted; short names as a real token has them). */
  scopes: string[];
  /** The token's `exp`, as a Date: the ACS token of an exchange expires with it. */
  expiresOn: Date;
}

export type EntraTokenCheck =
  | { ok: true; token: VerifiedEntraToken }
  | { ok: false; reason: "malformed" | "bad-signature" | "expired" | "not-yet-valid" | "wrong-audience" | "missing-claims" };

/**
 * Verifies a token presented for an exchange route: signed by this emulator's Entra test secret, not expired, for
 * the route's audience (Teams Phone extensibility or Entra ID clients), with string `tid`, `oid` and `appid`.
 * Management bearer tokens are verified by bearerVerifier.ts, not here.
 *
 * @param token - The bearer token, without `Bearer `.
 * @param purpose - The exchange route it was presented to.
 * @param secrets - The emulator store's secrets.
 * @param now - The emulator's clock.
 */
export function verifyEntraToken(token: string, purpose: Exclude<EntraTokenPurpose, "management">, secrets: EntraTokenSecrets, now: Date): EntraTokenCheck {
  const check = verifyJwt(token, secrets.entra);
  if (!check.ok) return { ok: false, reason: check.reason };
  const { aud, tid, oid, appid, groups, scp, exp, nbf } = check.claims;
  const audiences = purpose === "entra" ? [ENTRA_CLIENTS_RESOURCE] : TEAMS_EXTENSION_RESOURCES;
  if (typeof aud !== "string" || !audiences.includes(aud.replace(/\/+$/, ""))) return { ok: false, reason: "wrong-audience" };
  if (typeof exp !== "number") return { ok: false, reason: "missing-claims" };
  const seconds = now.getTime() / 1000;
  if (exp <= seconds) return { ok: false, reason: "expired" };
  if (typeof nbf === "number" && nbf > seconds + 300) return { ok: false, reason: "not-yet-valid" };
  if (typeof tid !== "string" || typeof oid !== "string" || typeof appid !== "string") return { ok: false, reason: "missing-claims" };
  const groupIds = Array.isArray(groups) ? groups.filter((group): group is string => typeof group === "string") : [];
  const scopes = typeof scp === "string" ? scp.split(" ").filter((scope) => scope !== "") : [];
  return { ok: true, token: { tenantId: tid, objectId: oid, appId: appid, groups: groupIds, scopes, expiresOn: new Date(exp * 1000) } };
}
