import { createCommunicationAuthPolicy } from "@azure/communication-common";
import { AzureKeyCredential } from "@azure/core-auth";
import { createHttpHeaders, createPipelineRequest, type HttpMethods, type PipelinePolicy, type PipelineRequest } from "@azure/core-rest-pipeline";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { createHmacAuthPolicy, hmacAuthPolicyName } from "../../src/credentials/hmacAuthPolicy.js";
import { createFakeHttpClient, serviceAnswer } from "../client/fakeHttpClient.js";

const KEY = "aGVsbG8tdGhpcy1pcy1hLXRlc3Qta2V5LW5vdC1hLXNlY3JldA==";

async function signedHeaders(policy: PipelinePolicy, method: HttpMethods, url: string, body?: string): Promise<Record<string, string>> {
  const request = createPipelineRequest({ url, method, body, headers: createHttpHeaders() });
  let sent: PipelineRequest | undefined;
  await policy.sendRequest(request, async (r) => {
    sent = r;
    return { status: 200, headers: createHttpHeaders(), request: r };
  });
  return sent!.headers.toJSON();
}

const urls = [
  "https://contoso.communication.azure.com/identities?api-version=2025-03-02-preview",
  "https://contoso.communication.azure.com/identities/8%3Aacs%3Aabc_def/:issueAccessToken?api-version=2023-10-01",
  "https://contoso.communication.azure.com:443/identities",
  "https://contoso.communication.azure.com:8443/identities?api-version=1",
  "http://127.0.0.1:80/identities?api-version=1",
  "http://127.0.0.1:4000/identities?api-version=1",
  "http://localhost:4000/a%20b/c?q=a b&t=~x&flag&e=%7E",
  "https://h.example/path/%C3%BC?x=%2F&y=1+2",
  "https://h.example/",
  "https://h.example/teamsUser/:exchangeAccessToken?api-version=2025-03-02-preview&extra=",
];
const bodies: Array<string | undefined> = [undefined, "", '{"scopes":["chat"]}', '{"customId":"ünïcødé 🚀 日本"}'];
const methods: HttpMethods[] = ["POST", "GET", "DELETE"];

describe("createHmacAuthPolicy", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-04T05:06:07.890Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is named", () => {
    expect(createHmacAuthPolicy({ key: KEY }).name).toBe(hmacAuthPolicyName);
  });

  const matrix = urls.flatMap((url) => bodies.flatMap((body) => methods.map((method) => [method, url, body] as const)));
  it.each(matrix)("signs %s %s (body %j) exactly like @azure/communication-common", async (method, url, body) => {
    const ours = await signedHeaders(createHmacAuthPolicy(new AzureKeyCredential(KEY)), method, url, body);
    const oracle = await signedHeaders(createCommunicationAuthPolicy(new AzureKeyCredential(KEY)), method, url, body);
    for (const name of ["authorization", "x-ms-date", "x-ms-content-sha256", "host"]) {
      expect(ours[name], name).toBe(oracle[name]);
    }
    expect(ours["x-ms-date"]).toBe("Wed, 04 Mar 2026 05:06:07 GMT");
  });

  it("hashes an empty body as the hash of the empty string", async () => {
    const headers = await signedHeaders(createHmacAuthPolicy({ key: KEY }), "POST", urls[0]);
    expect(headers["x-ms-content-sha256"]).toBe("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  });

  it("puts the non-default port in host and omits the default one", async () => {
    expect((await signedHeaders(createHmacAuthPolicy({ key: KEY }), "GET", "https://h.example:8443/x"))["host"]).toBe("h.example:8443");
    expect((await signedHeaders(createHmacAuthPolicy({ key: KEY }), "GET", "https://h.example:443/x"))["host"]).toBe("h.example");
  });

  it("reads the key on every request, so AzureKeyCredential.update() takes effect", async () => {
    const credential = new AzureKeyCredential(KEY);
    const policy = createHmacAuthPolicy(credential);
    const before = await signedHeaders(policy, "GET", urls[0]);
    const newKey = "bmV3LWtleS1hZnRlci1yb3RhdGlvbg==";
    credential.update(newKey);
    const after = await signedHeaders(policy, "GET", urls[0]);
    const oracle = await signedHeaders(createCommunicationAuthPolicy(new AzureKeyCredential(newKey)), "GET", urls[0]);
    expect(after["authorization"]).not.toBe(before["authorization"]);
    expect(after["authorization"]).toBe(oracle["authorization"]);
  });
});

describe("signing in the client", () => {
  it("signs each retry afresh: a retried request carries a new x-ms-date and a valid signature", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-04T05:06:07Z") });
    try {
      const httpClient = createFakeHttpClient((request, attempt) => {
        // Move the clock so the retry must be signed with a later date.
        vi.setSystemTime(new Date("2026-03-04T05:06:09Z"));
        return attempt === 1 ? { status: 503 } : serviceAnswer(request);
      });
      const client = new CommunicationIdentityClient("https://contoso.communication.azure.com", new AzureKeyCredential(KEY), {
        httpClient,
        retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 2 },
      });
      await client.createUserAndToken(["chat"]);
      expect(httpClient.requests).toHaveLength(2);
      const [first, second] = httpClient.requests.map((r) => r.headers);
      expect(first["x-ms-date"]).toBe("Wed, 04 Mar 2026 05:06:07 GMT");
      expect(second["x-ms-date"]).toBe("Wed, 04 Mar 2026 05:06:09 GMT");
      const oracle = await signedHeaders(
        createCommunicationAuthPolicy(new AzureKeyCredential(KEY)),
        "POST",
        httpClient.requests[1].url,
        httpClient.requests[1].body,
      );
      expect(second["authorization"]).toBe(oracle["authorization"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("signs with the updated key after AzureKeyCredential.update()", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const credential = new AzureKeyCredential(KEY);
    const client = new CommunicationIdentityClient("https://contoso.communication.azure.com", credential, { httpClient });
    await client.createUser();
    credential.update("bmV3LWtleQ==");
    await client.createUser();
    const [first, second] = httpClient.requests;
    expect(first.headers["authorization"]).not.toBe(second.headers["authorization"]);
  });

  it("accepts a plain { key } object as a key credential", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient("https://contoso.communication.azure.com", { key: KEY }, { httpClient });
    await client.createUser();
    expect(httpClient.requests[0].headers["authorization"]).toMatch(/^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=/);
  });
});
