/** Management bearer tokens: minted by `tokenCredential()`, accepted only when signed by this emulator. */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { randomUUID } from "node:crypto";
import { invalidAuthenticationInfo, denied } from "./errors.js";
import { signJwt, verifyJwt } from "./jwt.js";

const MANAGEMENT_AUDIENCE = "https://communication.azure.com";
const LIFETIME_SECONDS = 3600;

export function createEmulatorTokenCredential(secret: Buffer, now: () => Date): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      const iat = Math.floor(now().getTime() / 1000);
      const exp = iat + LIFETIME_SECONDS;
      const token = signJwt(
        { aud: MANAGEMENT_AUDIENCE, iss: "communication-identity-emulator", sub: "emulator-test-principal", iat, nbf: iat, exp, jti: randomUUID() },
        secret,
      );
      return { token, expiresOnTimestamp: exp * 1000, tokenType: "Bearer" };
    },
  };
}

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
