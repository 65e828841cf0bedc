import type { CommonClientOptions } from "@azure/core-client";
import { decompressResponsePolicy, proxyPolicy, tlsPolicy, type Pipeline } from "@azure/core-rest-pipeline";
import { isNodeLike } from "@azure/core-util";

/** Node-only policies: TLS settings, proxy (options or environment) and response decompression. */
export function addPlatformPolicies(pipeline: Pipeline, options: CommonClientOptions): void {
  if (!isNodeLike) return;
  if (options.tlsOptions) pipeline.addPolicy(tlsPolicy(options.tlsOptions));
  pipeline.addPolicy(proxyPolicy(options.proxyOptions));
  pipeline.addPolicy(decompressResponsePolicy());
}
