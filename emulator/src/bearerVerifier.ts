/**
 * Management bearer tokens (`Authorization: Bearer` on the identity and assignment routes and the control API):
 * accepted only when signed by this emulator. They are minted in entraTokens.ts (`tokenCredential()`, the local
 * Entra ID authority, `POST /_emulator/entra-tokens`).
 */
import { MANAGEMENT_AUDIENCE } from "./entraTokens.js";
import { invalidAuthenticationInfo, denied } from "./errors.js";
import { verifyJwt } from "./jwt.js";

/** Checks an `Authorization: Bearer …` value; throws the 401 to answer otherwise, with why (never the token). */
export function verifyBearer(authorization: string, secret: Buffer, now: Date): void {
  const token = authorization.slice("bearer ".length).trim();
  const check = verifyJwt(token, secret);
  if (!check.ok) {
    if (check.reason === "malformed") {
      throw invalidAuthenticationInfo("The bearer token is malformed.", {
        code: "MalformedBearerToken",
        header: "authorization",
        message: "The bearer token is not a JWT (three base64url parts separated by dots).",
      });
    }
    throw denied("The bearer token was not issued by this emulator.", {
      code: "BearerNotIssuedHere",
      message:
        "The bearer token's signature is not this emulator's: get bearer tokens from emulator.tokenCredential() or POST /_emulator/entra-tokens of this emulator (a real Entra ID token is not accepted).",
    });
  }
  const { aud, exp, nbf } = check.claims;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.some((a) => a === MANAGEMENT_AUDIENCE || a === `${MANAGEMENT_AUDIENCE}/`)) {
    const message = `The bearer token's audience is not ${MANAGEMENT_AUDIENCE}.`;
    throw denied(message, { code: "BearerAudience", message: `${message} Its aud claim is ${JSON.stringify(aud)}.` });
  }
  const seconds = now.getTime() / 1000;
  if (typeof exp !== "number" || exp <= seconds) {
    const when = typeof exp === "number" ? ` It expired at ${new Date(exp * 1000).toISOString()}; the emulator's clock says ${now.toISOString()}.` : " It has no exp claim.";
    throw denied("The bearer token has expired.", { code: "BearerExpired", message: `The bearer token has expired.${when}` });
  }
  if (typeof nbf === "number" && nbf > seconds + 300) {
    throw denied("The bearer token is not valid yet.", {
      code: "BearerNotYetValid",
      message: `The bearer token is not valid before ${new Date(nbf * 1000).toISOString()}; the emulator's clock says ${now.toISOString()}.`,
    });
  }
}
