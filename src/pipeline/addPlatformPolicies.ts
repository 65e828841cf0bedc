import type { CommonClientOptions } from "@azure/core-client";
import {
  agentPolicy,
  decompressResponsePolicy,
  proxyPolicy,
  redirectPolicy,
  tlsPolicy,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import { isNodeLike } from "@azure/core-util";

/** The Node-only policies: those that run before all others, and those right after retry. */
export interface PlatformPolicies {
  readonly first: readonly PipelinePolicy[];
  readonly afterRetry: readonly PipelinePolicy[];
}

/**
 * Node-only policies, placed as core's default pipeline places them: a custom `agent`, TLS
 * settings, proxy (options or environment), response decompression, and redirects (after retry,
 * so a redirected request is signed afresh).
 */
export function platformPolicies(options: CommonClientOptions): PlatformPolicies {
  if (!isNodeLike) return { first: [], afterRetry: [] };
  const first: PipelinePolicy[] = [];
  if (options.agent) first.push(agentPolicy(options.agent));
  if (options.tlsOptions) first.push(tlsPolicy(options.tlsOptions));
  first.push(proxyPolicy(options.proxyOptions), decompressResponsePolicy());
  return { first, afterRetry: [redirectPolicy(options.redirectOptions)] };
}
