/** Test Entra ID tokens for the Teams exchange, signed with the emulator's own Entra test key. */
import { randomUUID } from "node:crypto";
import { signJwt, verifyJwt } from "./jwt.js";

/**
 * The two delegated scopes a Teams user's Entra ID token needs for `getTokenForTeamsUser`
 * (`POST /teamsUser/:exchangeAccessToken`): the emulator refuses a token that lacks either. The default `scopes` of
 * {@link TeamsUserAadTokenOptions}.
 */
export const TEAMS_SCOPES = [
  "https://auth.msft.communication.azure.com/Teams.ManageCalls",
  "https://auth.msft.communication.azure.com/Teams.ManageChats",
] as const;
const TEAMS_RESOURCE = "https://auth.msft.communication.azure.com";

/**
 * The claims of a test Teams user's Entra ID token made by `createTeamsUserAadToken()` (or
 * `POST /_emulator/teams-user-tokens`). The exchange accepts it when `appId` and `userObjectId` are the GUIDs `appId`
 * and `userId` the exchange request names (case aside), it has not expired and it carries both {@link TEAMS_SCOPES};
 * the ACS token it gets expires with it.
 */
export interface TeamsUserAadTokenOptions {
  /** The Entra application (client) id: the `appid` claim. */
  appId: string;
  /** The Teams user's object id: the `oid` claim. */
  userObjectId: string;
  /** When the token expires: the `exp` claim (whole seconds). Default: one hour from the emulator's clock. */
  expiresOn?: Date;
  /** The delegated scopes: the `scp` claim, space-separated. Default: both {@link TEAMS_SCOPES}. */
  scopes?: string[];
  /** The user's Entra tenant: the `tid` claim (omitted when not given). */
  tenantId?: string;
}

export function mintTeamsUserAadToken(options: TeamsUserAadTokenOptions, secret: Buffer, now: Date): string {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = options.expiresOn ? Math.floor(options.expiresOn.getTime() / 1000) : iat + 3600;
  const scopes = options.scopes ?? [...TEAMS_SCOPES];
  return signJwt(
    {
      aud: TEAMS_RESOURCE,
      iss: "https://login.emulator.invalid/communication-identity-emulator/v2.0",
      appid: options.appId,
      oid: options.userObjectId,
      scp: scopes.join(" "),
      iat,
      nbf: iat,
      exp,
      uti: randomUUID(),
      ...(options.tenantId === undefined ? {} : { tid: options.tenantId }),
    },
    secret,
  );
}

export type TeamsTokenCheck = { ok: true; appId: unknown; oid: unknown; exp: number } | { ok: false };

/** Signature, expiry and both Teams scopes; the appId/userId comparison is the caller's. */
export function checkTeamsUserAadToken(token: string, secret: Buffer, now: Date): TeamsTokenCheck {
  const check = verifyJwt(token, secret);
  if (!check.ok) return { ok: false };
  const { appid, oid, scp, exp } = check.claims;
  if (typeof exp !== "number" || exp * 1000 <= now.getTime()) return { ok: false };
  if (typeof scp !== "string") return { ok: false };
  // Real Entra tokens carry short scope names with the resource in `aud`; accept both spellings.
  const granted = new Set(scp.split(" ").map((s) => (s.startsWith(`${TEAMS_RESOURCE}/`) ? s.slice(TEAMS_RESOURCE.length + 1) : s)));
  if (!granted.has("Teams.ManageCalls") || !granted.has("Teams.ManageChats")) return { ok: false };
  return { ok: true, appId: appid, oid, exp };
}
