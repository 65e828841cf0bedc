import { createCommunicationAuthPolicy } from "@azure/communication-common";
import { AzureKeyCredential } from "@azure/core-auth";
import { createHttpHeaders, createPipelineRequest, type PipelinePolicy, type PipelineRequest } from "@azure/core-rest-pipeline";
import type * as CoreUtil from "@azure/core-util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createHmacAuthPolicy } from "../../src/credentials/hmacAuthPolicy.js";

// Pretend to be a browser for our policy: there the host header is forbidden but still signed.
vi.mock("@azure/core-util", async (importOriginal) => ({ ...(await importOriginal<typeof CoreUtil>()), isNodeLike: false }));

const KEY = "aGVsbG8tdGhpcy1pcy1hLXRlc3Qta2V5LW5vdC1hLXNlY3JldA==";
const URL_WITH_PORT = "https://contoso.communication.azure.com:8443/identities?api-version=2025-03-02-preview";

async function send(policy: PipelinePolicy): Promise<PipelineRequest> {
  const request = createPipelineRequest({ url: URL_WITH_PORT, method: "POST", body: '{"scopes":["chat"]}', headers: createHttpHeaders() });
  await policy.sendRequest(request, async (r) => ({ status: 200, headers: createHttpHeaders(), request: r }));
  return request;
}

describe("createHmacAuthPolicy in a browser", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-04T05:06:07Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("does not set host, yet signs it (same signature as in Node)", async () => {
    const ours = await send(createHmacAuthPolicy({ key: KEY }));
    expect(ours.headers.has("host")).toBe(false);
    // The oracle runs with the real isNodeLike (Node), so it sets host; the signature must match.
    const oracle = await send(createCommunicationAuthPolicy(new AzureKeyCredential(KEY)));
    expect(oracle.headers.get("host")).toBe("contoso.communication.azure.com:8443");
    expect(ours.headers.get("authorization")).toBe(oracle.headers.get("authorization"));
  });
});
