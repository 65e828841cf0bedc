import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { isRestError, RestError } from "@azure/core-rest-pipeline";
import type * as ClientRuntime from "../../src/pipeline/clientRuntime.js";
import { closedPort, startServer, type SeenRequest, type TestServer } from "../transport/testServers.js";

// Each test imports the package afresh (vi.resetModules), so the pipeline half (clientRuntime.js)
// starts unloaded: plain calls go straight to the wire (src/pipeline/directCall.ts).

const accessKey = Buffer.alloc(32, 7).toString("base64");
const created = JSON.stringify({ identity: { id: "8:acs:first" }, accessToken: { token: "t".repeat(120), expiresOn: "2030-01-01T00:00:00Z" } });
let answers: Array<{ status: number; body: string }> = [];
let server: TestServer;

beforeAll(async () => {
  server = await startServer((_req, res) => {
    const answer = answers.shift() ?? { status: 201, body: created };
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(answer.body);
  });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  vi.resetModules();
  answers = [];
  server.requests.length = 0;
});

async function freshPackage() {
  const { CommunicationIdentityClient } = await import("../../src/index.js");
  return { CommunicationIdentityClient };
}

/** Header name → value as the server saw them, minus those that differ per request by design. */
function stableHeaders(seen: SeenRequest): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < seen.rawHeaders.length; i += 2) {
    const name = seen.rawHeaders[i];
    if (!/^(x-ms-date|authorization|x-ms-client-request-id)$/i.test(name)) pairs.push([name, seen.rawHeaders[i + 1]]);
  }
  return pairs;
}

describe("a plain call", () => {
  it("is answered without loading the pipeline, also after it has loaded; a call that needs it loads it", async () => {
    let loads = 0;
    const pipelineRuns: string[] = [];
    vi.doMock("../../src/pipeline/clientRuntime.js", async (importOriginal) => {
      loads++;
      const original = await importOriginal<typeof ClientRuntime>();
      return {
        ...original,
        runOperation: (...args: Parameters<typeof original.runOperation>) => (pipelineRuns.push(args[1]), original.runOperation(...args)),
      };
    });
    const { CommunicationIdentityClient } = await freshPackage();
    const client = new CommunicationIdentityClient(`endpoint=${server.url};accesskey=${accessKey}`, { allowInsecureConnection: true });
    const { user } = await client.createUserAndToken(["chat"]);
    answers = [{ status: 200, body: JSON.stringify({ token: "t".repeat(120), expiresOn: "2030-01-01T00:00:00Z" }) }];
    await client.getToken(user, ["chat"]);
    expect(loads).toBe(0);
    expect(server.requests).toHaveLength(2);
    // Per-call options need the pipeline: it loads and runs this call.
    await client.createUserAndToken(["chat"], { abortSignal: new AbortController().signal });
    expect(loads).toBe(1);
    expect(pipelineRuns).toEqual(["createUserAndToken"]);
    // The next plain call still goes direct.
    await client.createUserAndToken(["chat"]);
    expect(pipelineRuns).toEqual(["createUserAndToken"]);
    expect(server.requests).toHaveLength(4);
    vi.doUnmock("../../src/pipeline/clientRuntime.js");
  });

  it("puts the same request on the wire as the pipeline does (headers, order, body, signature shape)", async () => {
    const { CommunicationIdentityClient } = await freshPackage();
    const client = new CommunicationIdentityClient(`endpoint=${server.url};accesskey=${accessKey}`, { allowInsecureConnection: true });
    const direct = await client.createUserAndToken(["chat"], { tokenExpiresInMinutes: 60 });
    // An abort signal (never used) sends the call through the pipeline.
    const piped = await client.createUserAndToken(["chat"], { tokenExpiresInMinutes: 60, abortSignal: new AbortController().signal });
    expect(direct).toEqual(piped);
    const [a, b] = server.requests;
    expect(a.method).toBe(b.method);
    expect(a.url).toBe(b.url);
    expect(a.body.equals(b.body)).toBe(true);
    expect(stableHeaders(a)).toEqual(stableHeaders(b));
    for (const seen of [a, b]) {
      expect(seen.headers["x-ms-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(seen.headers.authorization).toMatch(/^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=[A-Za-z0-9+/]+=*$/);
    }
  });

  it("rejects an error status with core's RestError, sending the request once", async () => {
    const { CommunicationIdentityClient } = await freshPackage();
    answers = [{ status: 404, body: JSON.stringify({ error: { code: "IdentityNotFound", message: "no such user" } }) }];
    const client = new CommunicationIdentityClient(`endpoint=${server.url};accesskey=${accessKey}`, { allowInsecureConnection: true });
    const error = await client.getToken({ communicationUserId: "8:acs:nobody" }, ["chat"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect(isRestError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 404, code: "IdentityNotFound" });
    expect(server.requests).toHaveLength(1);
  });

  it("is retried by the pipeline's retry policy when answered 503", async () => {
    const { CommunicationIdentityClient } = await freshPackage();
    answers = [{ status: 503, body: "" }];
    const client = new CommunicationIdentityClient(`endpoint=${server.url};accesskey=${accessKey}`, {
      allowInsecureConnection: true,
      retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 2 },
    });
    const result = await client.createUserAndToken(["chat"]);
    expect(result.user).toEqual({ communicationUserId: "8:acs:first" });
    expect(server.requests).toHaveLength(2);
  });

  it("maps an answer it cannot read to the pipeline's PARSE_ERROR, without sending again", async () => {
    const { CommunicationIdentityClient } = await freshPackage();
    answers = [{ status: 201, body: JSON.stringify({ identity: { id: 42 } }) }];
    const client = new CommunicationIdentityClient(`endpoint=${server.url};accesskey=${accessKey}`, { allowInsecureConnection: true });
    const error = await client.createUser().catch((e: unknown) => e);
    expect(isRestError(error)).toBe(true);
    expect(error).toMatchObject({ code: "PARSE_ERROR", statusCode: 201 });
    expect(server.requests).toHaveLength(1);
  });

  it("rejects a refused connection with core's RestError ECONNREFUSED", async () => {
    const { CommunicationIdentityClient } = await freshPackage();
    const port = await closedPort();
    const client = new CommunicationIdentityClient(`endpoint=http://127.0.0.1:${port};accesskey=${accessKey}`, {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
    const error = await client.createUser().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("goes through the user's additionalPolicies like every other call", async () => {
    const { CommunicationIdentityClient } = await freshPackage();
    const seen: string[] = [];
    const client = new CommunicationIdentityClient(`endpoint=${server.url};accesskey=${accessKey}`, {
      allowInsecureConnection: true,
      additionalPolicies: [{ position: "perCall", policy: { name: "spy", sendRequest: (request, next) => (seen.push(request.url), next(request)) } }],
    });
    await client.createUser();
    expect(seen).toHaveLength(1);
  });
});
