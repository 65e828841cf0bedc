/** ACS access tokens (what createUser/getToken and the exchanges issue): JWTs signed with the resource's token secret, carrying ACS-like claims. */
import { randomUUID } from "node:crypto";
import type { IdentityStore } from "./identityStore.js";
import { signJwtJson, verifyJwt } from "./jwt.js";

/** A token as the service answers it: `{ token, expiresOn }` with the 7-digit date. */
export interface IssuedToken {
  token: string;
  expiresOn: string;
}

// The last date formatted: tokens minted in the same millisecond expire in the same one.
let formattedMs = Number.NaN;
let formatted = "";
// And the second it falls in, as `2025-04-18T14:46:09.`: the same for a thousand milliseconds.
let formattedSecond = Number.NaN;
let secondPrefix = "";

/** `2025-04-18T14:46:09.2460000+00:00`: the service's 7-digit, explicit-offset format. */
export function formatServiceDate(date: Date): string {
  const ms = date.getTime();
  // An invalid date (NaN) never equals the cached one, so it still throws toISOString's RangeError.
  if (ms !== formattedMs) {
    const second = Math.floor(ms / 1000);
    if (second !== formattedSecond) {
      const iso = date.toISOString();
      // Years beyond 0000–9999 (`+275760-…`) are longer: their text is cut as it always was, and not kept.
      if (iso.length !== 24) return `${iso.slice(0, 23)}0000+00:00`;
      secondPrefix = iso.slice(0, 20);
      formattedSecond = second;
    }
    const fraction = ms - second * 1000;
    formatted = `${secondPrefix}${fraction < 10 ? "00" : fraction < 100 ? "0" : ""}${fraction}0000+00:00`;
    formattedMs = ms;
  }
  return formatted;
}

/** Mints a token for `identity` (an `8:acs:` or `8:orgid:` id) and records the issue sequence. */
export function issueAccessToken(
  store: IdentityStore,
  identity: string,
  scopes: readonly string[],
  now: Date,
  expiresOn: Date,
): IssuedToken {
  const seq = store.nextSeq();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = Math.floor(expiresOn.getTime() / 1000);
  const payload = claimsJson(identity.startsWith("8:") ? identity.slice(2) : identity, iat, exp, scopes.join(","), store.keys.resourceId, randomUUID(), seq);
  if (store.get(identity)) store.recordTokenIssued(identity, seq, now);
  return { token: signJwtJson(payload, store.secrets.token), expiresOn: formatServiceDate(expiresOn) };
}

/** The answer's JSON text for a token: what `JSON.stringify(issued)` gives (base64url, dots and the date's digits need no escaping). */
export function issuedTokenJson(issued: IssuedToken): string {
  return `{"token":"${issued.token}","expiresOn":"${issued.expiresOn}"}`;
}

// The parts of a token's claims that stay the same from one token to the next, serialised once.
let headFor: string | undefined;
let head = "";
let middleScopes: string | undefined;
let middleResource: string | undefined;
let middle = "";

/** A number as JSON.stringify writes it (`null` for NaN and the infinities). */
const jsonNumber = (value: number): string => (Number.isFinite(value) ? String(value) : "null");

/**
 * The token's claims as `JSON.stringify` writes the object
 * `{ skypeid, scp: 1792, csi: String(iat), exp, rgn: "emulator", acsScope, resourceId, resourceLocation: "emulator", iat, jti, seq }`.
 */
export function claimsJson(skypeid: string, iat: number, exp: number, acsScope: string, resourceId: string, jti: string, seq: number): string {
  if (skypeid !== headFor) {
    head = `{"skypeid":${JSON.stringify(skypeid)},"scp":1792,"csi":`;
    headFor = skypeid;
  }
  if (acsScope !== middleScopes || resourceId !== middleResource) {
    middle = `,"rgn":"emulator","acsScope":${JSON.stringify(acsScope)},"resourceId":${JSON.stringify(resourceId)},"resourceLocation":"emulator","iat":`;
    middleScopes = acsScope;
    middleResource = resourceId;
  }
  // csi is String(iat): digits, or "NaN", neither needs escaping; jti is a UUID.
  return `${head}"${iat}","exp":${jsonNumber(exp)}${middle}${jsonNumber(iat)},"jti":"${jti}","seq":${jsonNumber(seq)}}`;
}

export type TokenVerdict =
  | { valid: true; identity: string; scopes: string[]; expiresOn: string }
  | {
      valid: false;
      reason: "expired" | "revoked" | "identity-deleted" | "bad-signature" | "malformed";
      identity?: string;
      scopes?: string[];
      expiresOn?: string;
    };

const GUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const EXCHANGED_ID = new RegExp(`^8:acs:${GUID}_(?:wf_)?${GUID}_${GUID}$`, "i");

/** The verdict of `POST /_emulator/tokens:verify`. */
export function verifyAccessToken(store: IdentityStore, token: unknown, now: Date): TokenVerdict {
  const check = verifyJwt(token, store.secrets.token);
  if (!check.ok) return { valid: false, reason: check.reason };
  const { skypeid, exp, acsScope, seq } = check.claims;
  if (typeof skypeid !== "string" || typeof exp !== "number" || typeof acsScope !== "string" || typeof seq !== "number") {
    return { valid: false, reason: "malformed" };
  }
  const identity = `8:${skypeid}`;
  const details = { identity, scopes: acsScope === "" ? [] : acsScope.split(","), expiresOn: formatServiceDate(new Date(exp * 1000)) };
  // Identities of the access exchanges (`8:acs:<resource>_<tenant>_<object>`, `…_wf_…`) are not stored: only expiry applies.
  if (identity.startsWith("8:acs:") && !EXCHANGED_ID.test(identity)) {
    const record = store.get(identity);
    if (!record) return { valid: false, reason: "identity-deleted", ...details };
    if (seq < record.revokedBeforeSeq) return { valid: false, reason: "revoked", ...details };
  }
  if (exp * 1000 <= now.getTime()) return { valid: false, reason: "expired", ...details };
  return { valid: true, ...details };
}
