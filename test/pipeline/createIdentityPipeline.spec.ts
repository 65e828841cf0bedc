import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  decompressResponsePolicy,
  defaultRetryPolicy,
  logPolicy,
  proxyPolicy,
  redirectPolicy,
  setClientRequestIdPolicy,
  userAgentPolicy,
  type HttpClient,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { createIdentityPipeline } from "../../src/pipeline/createIdentityPipeline.js";

type Seen = string[];

/** A policy that records its name and which headers the request has when it runs. */
function probe(name: string, seen: Seen): PipelinePolicy {
  return {
    name,
    sendRequest(request, next) {
      const headers = ["user-agent", "x-ms-useragent", "x-ms-client-request-id", "x-probe-auth"].filter((header) => request.headers.has(header));
      seen.push(`${name}(${headers.join(",")})`);
      return next(request);
    },
  };
}

const auth = (seen: Seen): PipelinePolicy => ({
  name: "probeAuth",
  sendRequest(request, next) {
    seen.push("auth");
    request.headers.set("x-probe-auth", "1");
    return next(request);
  },
});

/** Answers 503 with Retry-After: 0 once, then 204: one retry. */
function flakyClient(seen: Seen): HttpClient {
  let attempts = 0;
  return {
    async sendRequest(request) {
      seen.push("send");
      attempts++;
      const headers = createHttpHeaders(attempts === 1 ? { "retry-after": "0" } : {});
      return { request, status: attempts === 1 ? 503 : 204, headers };
    },
  };
}

const request = () => createPipelineRequest({ url: "https://contoso.communication.azure.com/identities?api-version=2026-09-23", method: "POST" });

describe("createIdentityPipeline", () => {
  it("runs policies in the order core's phased pipeline gives them (perCall once before retry, perRetry after signing on every attempt)", async () => {
    const options = { retryOptions: { maxRetries: 1 }, additionalPolicies: [] as { policy: PipelinePolicy; position: "perCall" | "perRetry" }[] };

    const ours: Seen = [];
    options.additionalPolicies = [
      { policy: probe("perCall", ours), position: "perCall" },
      { policy: probe("perRetry", ours), position: "perRetry" },
    ];
    await createIdentityPipeline(options, auth(ours)).sendRequest(flakyClient(ours), request());

    // The oracle: core's pipeline with the same policies placed by phase, as core-client places them.
    const core: Seen = [];
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(proxyPolicy());
    pipeline.addPolicy(decompressResponsePolicy());
    pipeline.addPolicy(redirectPolicy(), { afterPhase: "Retry" });
    pipeline.addPolicy(userAgentPolicy({ userAgentPrefix: "x" }));
    pipeline.addPolicy(setClientRequestIdPolicy());
    pipeline.addPolicy(defaultRetryPolicy(options.retryOptions), { phase: "Retry" });
    pipeline.addPolicy(auth(core), { phase: "Sign" });
    pipeline.addPolicy(logPolicy(), { afterPhase: "Sign" });
    pipeline.addPolicy(probe("perCall", core));
    pipeline.addPolicy(probe("perRetry", core), { afterPhase: "Sign" });
    await pipeline.sendRequest(flakyClient(core), request());

    expect(ours).toEqual(core);
    expect(ours).toEqual(["perCall(user-agent,x-ms-client-request-id)", "auth", "perRetry(user-agent,x-ms-client-request-id,x-probe-auth)", "send", "auth", expect.stringMatching(/^perRetry/), "send"]);
  });

  it("fails the call, as core's pipeline does, when a user's policy has the name of another policy", async () => {
    const seen: Seen = [];
    const pipeline = createIdentityPipeline({ additionalPolicies: [{ policy: probe("defaultRetryPolicy", seen), position: "perCall" }] }, auth(seen));
    await expect(async () => pipeline.sendRequest(flakyClient(seen), request())).rejects.toThrow("Duplicate policy names not allowed in pipeline");
    expect(seen).toEqual([]);
  });
});
