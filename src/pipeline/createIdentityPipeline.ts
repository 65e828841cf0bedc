import type { CommonClientOptions } from "@azure/core-client";
import {
  createEmptyPipeline,
  defaultRetryPolicy,
  logPolicy,
  setClientRequestIdPolicy,
  userAgentPolicy,
  type Pipeline,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import { packageVersion } from "../generated/packageInfo.js";
import { logger } from "../logger.js";
import { addPlatformPolicies } from "#platform/addPlatformPolicies";

// MS-CV is the service's correlation id (what support asks for); it carries no secret.
const serviceHeaderNames = ["MS-CV"];
const userAgentPackage = `azsdk-js-communication-identity/${packageVersion}`;

/**
 * Assembles the request pipeline by hand (no core-client ServiceClient, no form-data/multipart
 * policies): user agent, client request id, Node-only agent/proxy/TLS/decompression/redirect, retry, then the
 * auth policy after retry so every attempt is signed afresh, then logging and the user's policies.
 */
export function createIdentityPipeline(options: CommonClientOptions, authPolicy: PipelinePolicy): Pipeline {
  const pipeline = createEmptyPipeline();
  addPlatformPolicies(pipeline, options);
  const userPrefix = options.userAgentOptions?.userAgentPrefix;
  pipeline.addPolicy(userAgentPolicy({ userAgentPrefix: userPrefix ? `${userPrefix} ${userAgentPackage}` : userAgentPackage }));
  pipeline.addPolicy(setClientRequestIdPolicy(options.telemetryOptions?.clientRequestIdHeaderName));
  pipeline.addPolicy(defaultRetryPolicy(options.retryOptions), { phase: "Retry" });
  pipeline.addPolicy(authPolicy, { phase: "Sign" });
  pipeline.addPolicy(logPolicy({ logger: logger.info, additionalAllowedHeaderNames: serviceHeaderNames }), { afterPhase: "Sign" });
  // Same placement as core-client: perCall before retry, perRetry after signing.
  for (const { policy, position } of options.additionalPolicies ?? []) {
    pipeline.addPolicy(policy, position === "perRetry" ? { afterPhase: "Sign" } : {});
  }
  return pipeline;
}
