import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { createBearerTokenPolicy } from "./bearerTokenPolicy.js";
import { isTokenCredential } from "./credentialKinds.js";
import { createHmacAuthPolicy } from "./hmacAuthPolicy.js";

/** The Entra ID scope of Azure Communication Services (the double slash is the real string). */
export const communicationScope = "https://communication.azure.com//.default";

/** Bearer auth (https only, as core's policy) for a token credential; HMAC signing for a key. */
export function createAuthPolicy(credential: KeyCredential | TokenCredential): PipelinePolicy {
  if (isTokenCredential(credential)) return createBearerTokenPolicy(credential, communicationScope);
  return createHmacAuthPolicy(credential);
}
