import type { KeyCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { isNodeLike } from "@azure/core-util";
import { computeSha256Hash, computeSha256Hmac } from "#platform/sha256Digests";

/** The name of the policy that signs requests with an access key (HMAC-SHA256). */
export const hmacAuthPolicyName = "communicationHmacAuthPolicy";

/**
 * Signs every attempt with HMAC-SHA256 as Azure Communication Services expects: `x-ms-date`,
 * `x-ms-content-sha256`, `host` (Node only: browsers forbid it, it is still signed) and
 * `Authorization`. Reads `credential.key` per request so `AzureKeyCredential.update()` takes effect.
 * Place it after the retry policy so each retry is signed with a fresh date.
 */
export function createHmacAuthPolicy(credential: KeyCredential): PipelinePolicy {
  return {
    name: hmacAuthPolicyName,
    async sendRequest(request, next) {
      const key = credential.key;
      const date = new Date().toUTCString();
      // Generated operations send JSON text or nothing; other body kinds cannot be hashed unconsumed.
      const body = request.body ?? "";
      if (typeof body !== "string") throw new Error("HMAC signing needs a string body");
      const contentHash = await computeSha256Hash(body, "base64");
      const url = new URL(request.url);
      const query = url.searchParams.toString();
      const pathAndQuery = query ? `${url.pathname}?${query}` : url.pathname;
      // URL.host omits the port when it is the scheme's default, which is what the service signs.
      const host = url.host;
      const stringToSign = `${request.method.toUpperCase()}\n${pathAndQuery}\n${date};${host};${contentHash}`;
      const signature = await computeSha256Hmac(key, stringToSign, "base64");

      const headers = request.headers;
      headers.set("x-ms-date", date);
      headers.set("x-ms-content-sha256", contentHash);
      if (isNodeLike) headers.set("host", host);
      headers.set("Authorization", `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`);
      return next(request);
    },
  };
}
