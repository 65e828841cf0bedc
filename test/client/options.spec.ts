import type { FullOperationResponse } from "@azure/core-client";
import { RestError, type PipelinePolicy, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import util from "node:util";
import { describe, expect, it, vi } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { ACCESS_KEY, CONNECTION_STRING, createFakeHttpClient, ENDPOINT, SERVICE_DATE, serviceAnswer, USER_ID } from "./fakeHttpClient.js";

const user = { communicationUserId: USER_ID };

describe("operation options", () => {
  it("calls onResponse with the raw response and the parsed body", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    const onResponse = vi.fn();
    await client.getToken(user, ["chat"], { onResponse });
    expect(onResponse).toHaveBeenCalledTimes(1);
    const [raw, flat] = onResponse.mock.calls[0] as [FullOperationResponse, unknown];
    expect(raw.status).toBe(200);
    expect(raw.bodyAsText).toContain("token-jwt");
    expect(raw.parsedBody).toMatchObject({ token: "token-jwt" });
    expect(raw.request.url).toContain("/:issueAccessToken");
    expect(flat).toMatchObject({ token: "token-jwt" });
  });

  it("calls onResponse with the error on failure, like core-client", async () => {
    const httpClient = createFakeHttpClient(() => ({ status: 404, body: { error: { code: "NotFound", message: "no" } } }));
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    const onResponse = vi.fn();
    await expect(client.deleteUser(user, { onResponse })).rejects.toThrow("no");
    expect(onResponse.mock.calls[0][0].status).toBe(404);
    expect(onResponse.mock.calls[0][2]).toMatchObject({ statusCode: 404 });
  });

  it("does not map the answer when shouldDeserialize is false: the date stays a string (see legacyOptions.spec.ts)", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    const onResponse = vi.fn();
    const raw = await client.getToken(user, ["chat"], { onResponse, requestOptions: { shouldDeserialize: false } });
    expect(raw).toEqual({ token: "token-jwt", expiresOn: SERVICE_DATE, unknownField: true });
    expect(onResponse.mock.calls[0][1]).toEqual(raw);
  });

  it("rejects with an AbortError when the signal is already aborted", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    const controller = new AbortController();
    controller.abort();
    const error = (await client.createUser({ abortSignal: controller.signal }).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe("AbortError");
  });

  it("passes the abort signal and timeout to the transport", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    const controller = new AbortController();
    await client.createUser({ abortSignal: controller.signal, requestOptions: { timeout: 1234 } });
    const request = httpClient.requests[0].request;
    expect(request.timeout).toBe(1234);
    controller.abort();
    expect(request.abortSignal?.aborted).toBe(true);
  });

  it("calls onResponse for a RestError with a response that a pipeline policy throws", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const refusing: PipelinePolicy = {
      name: "refusing",
      async sendRequest(request, next) {
        const response = await next(request);
        throw new RestError("refused by policy", { statusCode: 418, request, response: { ...response, status: 418 } });
      },
    };
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient, additionalPolicies: [{ policy: refusing, position: "perCall" }] });
    const onResponse = vi.fn();
    await expect(client.revokeTokens(user, { onResponse })).rejects.toMatchObject({ statusCode: 418, message: "refused by policy" });
    expect(onResponse).toHaveBeenCalledTimes(1);
    expect(onResponse.mock.calls[0][0].status).toBe(418);
    expect(onResponse.mock.calls[0][2]).toBeInstanceOf(RestError);
  });

  it("a call cut short by requestOptions.timeout rejects with an AbortError naming the timeout", async () => {
    // A transport whose timer fired: it aborts as the default transports do.
    const abortingTransport = {
      async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
        const error = new Error(request.timeout > 0 ? "The operation was aborted. Rejecting from abort signal callback while making request." : "unexpected");
        error.name = "AbortError";
        throw error;
      },
    };
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient: abortingTransport });
    const error = (await client.getToken(user, ["chat"], { requestOptions: { timeout: 3000 } }).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe("AbortError");
    expect(error.message).toBe("The operation timed out after 3000 ms (requestOptions.timeout) and was aborted.");
    expect((error as { cause?: Error }).cause?.message).toContain("aborted");
  });

  it("an abort by the caller's signal is not reported as a timeout", async () => {
    const controller = new AbortController();
    const abortingTransport = {
      async sendRequest(): Promise<PipelineResponse> {
        controller.abort();
        const error = new Error("The operation was aborted.");
        error.name = "AbortError";
        throw error;
      },
    };
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient: abortingTransport });
    const error = (await client.createUser({ abortSignal: controller.signal, requestOptions: { timeout: 3000 } }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: "AbortError", message: "The operation was aborted." });
  });

  it("sends customHeaders", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    await client.createUser({ requestOptions: { customHeaders: { "x-custom": "yes" } } });
    expect(httpClient.requests[0].headers["x-custom"]).toBe("yes");
  });
});

describe("client options", () => {
  it("sends the package user agent, with the user's prefix in front", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient, userAgentOptions: { userAgentPrefix: "my-app/2" } });
    await client.createUser();
    expect(httpClient.requests[0].headers["user-agent"]).toMatch(/^my-app\/2 azsdk-js-communication-identity\/\d+\.\d+\.\d+/);
  });

  it("sends an x-ms-client-request-id", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    await client.createUser();
    expect(httpClient.requests[0].headers["x-ms-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("runs additionalPolicies: perCall once, perRetry on every attempt after signing", async () => {
    const httpClient = createFakeHttpClient((_request, attempt) => (attempt === 1 ? { status: 503 } : serviceAnswer(_request)));
    const seen: string[] = [];
    const policy = (name: string): PipelinePolicy => ({
      name,
      sendRequest(request, next) {
        seen.push(`${name}:${request.headers.has("authorization")}`);
        return next(request);
      },
    });
    const client = new CommunicationIdentityClient(CONNECTION_STRING, {
      httpClient,
      retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 2 },
      additionalPolicies: [
        { policy: policy("perCall"), position: "perCall" },
        { policy: policy("perRetry"), position: "perRetry" },
      ],
    });
    await client.createUser();
    expect(seen).toEqual(["perCall:false", "perRetry:true", "perRetry:true"]);
  });

  it("never reveals the access key when inspected or serialized", () => {
    const client = new CommunicationIdentityClient(CONNECTION_STRING);
    expect(util.inspect(client, { depth: 10, showHidden: true })).not.toContain(ACCESS_KEY);
    expect(JSON.stringify(client)).not.toContain(ACCESS_KEY);
    expect(Object.values(client).join()).not.toContain(ACCESS_KEY);
  });

  it("passes allowInsecureConnection to every request (the transport refuses http without it)", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const insecure = `endpoint=http://127.0.0.1:1234/;accesskey=${ACCESS_KEY}`;
    const allowed = new CommunicationIdentityClient(insecure, { httpClient, allowInsecureConnection: true });
    await allowed.createUser();
    expect(httpClient.requests[0].request.allowInsecureConnection).toBe(true);
    expect(httpClient.requests[0].url.startsWith("http://127.0.0.1:1234/identities")).toBe(true);
    const strict = new CommunicationIdentityClient(insecure, { httpClient });
    await strict.createUser();
    expect(httpClient.requests[1].request.allowInsecureConnection).toBe(false);
  });

  it("uses the given endpoint without a doubled slash", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(`${ENDPOINT}/`, { key: ACCESS_KEY }, { httpClient });
    await client.createUser();
    expect(httpClient.requests[0].url).toBe(`${ENDPOINT}/identities?api-version=2026-09-23`);
  });
});
