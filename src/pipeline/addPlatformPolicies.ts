import type { CommonClientOptions } from "@azure/core-client";
import {
  agentPolicy,
  decompressResponsePolicy,
  proxyPolicy,
  redirectPolicy,
  tlsPolicy,
  type Pipeline,
} from "@azure/core-rest-pipeline";
import { isNodeLike } from "@azure/core-util";

/**
 * Node-only policies, placed as core's default pipeline places them: a custom `agent`, TLS
 * settings, proxy (options or environment), response decompression, and redirects (after retry,
 * so a redirected request is signed afresh).
 */
export function addPlatformPolicies(pipeline: Pipeline, options: CommonClientOptions): void {
  if (!isNodeLike) return;
  if (options.agent) pipeline.addPolicy(agentPolicy(options.agent));
  if (options.tlsOptions) pipeline.addPolicy(tlsPolicy(options.tlsOptions));
  pipeline.addPolicy(proxyPolicy(options.proxyOptions));
  pipeline.addPolicy(decompressResponsePolicy());
  pipeline.addPolicy(redirectPolicy(options.redirectOptions), { afterPhase: "Retry" });
}
