import type { CommonClientOptions } from "@azure/core-client";
import type { PlatformPolicies } from "./addPlatformPolicies.js";

const none: PlatformPolicies = { first: [], afterRetry: [] };

/** Browser build: the browser handles agents, proxies, TLS, decompression and redirects itself, so no policy is added. */
export function platformPolicies(_options: CommonClientOptions): PlatformPolicies {
  return none;
}
