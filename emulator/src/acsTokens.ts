/** ACS access tokens (what createUser/getToken and the exchanges issue): JWTs signed with the resource's token secret, carrying ACS-like claims. */
import { randomUUID } from "node:crypto";
import type { IdentityStore } from "./identityStore.js";
import { signJwt, verifyJwt } from "./jwt.js";

/** A token as the service answers it: `{ token, expiresOn }` with the 7-digit date. */
export interface IssuedToken {
  token: string;
  expiresOn: string;
}

// The last date formatted: tokens minted in the same millisecond expire in the same one.
let formattedMs = Number.NaN;
let formatted = "";

/** `2025-04-18T14:46:09.2460000+00:00`: the service's 7-digit, explicit-offset format. */
export function formatServiceDate(date: Date): string {
  const ms = date.getTime();
  // An invalid date (NaN) never equals the cached one, so it still throws toISOString's RangeError.
  if (ms !== formattedMs) {
    formatted = `${date.toISOString().slice(0, 23)}0000+00:00`;
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
  const claims = {
    skypeid: identity.replace(/^8:/, ""),
    scp: 1792,
    csi: String(iat),
    exp: Math.floor(expiresOn.getTime() / 1000),
    rgn: "emulator",
    acsScope: scopes.join(","),
    resourceId: store.keys.resourceId,
    resourceLocation: "emulator",
    iat,
    jti: randomUUID(),
    seq,
  };
  if (store.get(identity)) store.recordTokenIssued(identity, seq, now);
  return { token: signJwt(claims, store.secrets.token), expiresOn: formatServiceDate(expiresOn) };
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
