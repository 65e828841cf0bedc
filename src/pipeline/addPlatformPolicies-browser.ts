import type { CommonClientOptions } from "@azure/core-client";
import type { Pipeline } from "@azure/core-rest-pipeline";

/** Browser build: the browser handles agents, proxies, TLS, decompression and redirects itself, so no policy is added. */
export function addPlatformPolicies(_pipeline: Pipeline, _options: CommonClientOptions): void {}
