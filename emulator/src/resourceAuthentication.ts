/**
 * The resource's credentials, as the service's API and the control API check them: HMAC-SHA256 with the access
 * key (hmacVerifier.ts) or a bearer token of this emulator (bearerVerifier.ts). Checked from the request line and
 * headers alone, before the body is read; for HMAC the caller then checks the body with `verifyContentHash`.
 */
import type { IncomingHttpHeaders } from "node:http";
import { verifyBearer } from "./bearerVerifier.js";
import { invalidAuthenticationInfo } from "./errors.js";
import { verifyHmacSignature } from "./hmacVerifier.js";
import type { ResourceSecrets } from "./identityStore.js";

/** The Authorization header's scheme, lower-case (`hmac-sha256`, `bearer`): its text up to the first space. */
export function authorizationScheme(authorization: string | undefined): string {
  if (!authorization) return "";
  const space = authorization.indexOf(" ");
  return (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
}

/**
 * Throws the 401 to answer unless the request carries the resource's credentials; says which kind it carried
 * (`hmac`: its body must still match the signed content hash).
 */
export function verifyResourceCredentials(
  request: { method: string; url: string; headers: IncomingHttpHeaders },
  secrets: Pick<ResourceSecrets, "access" | "bearer">,
  now: Date,
): "hmac" | "bearer" {
  const authorization = request.headers.authorization;
  if (!authorization) {
    throw invalidAuthenticationInfo("The request has no Authorization header.", {
      code: "MissingHeader",
      header: "authorization",
      message: "The request has no Authorization header: sign it with the access key (HMAC-SHA256) or send Authorization: Bearer <token>.",
    });
  }
  const scheme = authorizationScheme(authorization);
  if (scheme === "hmac-sha256") {
    verifyHmacSignature(authorization, request, secrets.access, now);
    return "hmac";
  }
  if (scheme === "bearer") {
    verifyBearer(authorization, secrets.bearer, now);
    return "bearer";
  }
  throw invalidAuthenticationInfo("The Authorization scheme must be HMAC-SHA256 or Bearer.", {
    code: "UnsupportedScheme",
    header: "authorization",
    // Not echoed: a header without a scheme may be a bare token.
    message: "The Authorization header starts with neither HMAC-SHA256 (signed with the access key) nor Bearer (a token of this emulator; a bare token needs the 'Bearer ' prefix).",
  });
}
