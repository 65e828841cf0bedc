import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { startServer, type TestServer } from "../transport/testServers.js";
import { ACCESS_KEY, CONNECTION_STRING, createFakeHttpClient, ENDPOINT, serviceAnswer } from "./fakeHttpClient.js";

const createAnswer = { identity: { id: "8:acs:resource_user" } };

describe("pipeline options core's default pipeline honours", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("sends through the caller's agent", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify(createAnswer));
    });
    const agent = new http.Agent({ keepAlive: true });
    let socketsCreated = 0;
    const createConnection = agent.createConnection.bind(agent);
    agent.createConnection = ((...args: Parameters<typeof createConnection>) => {
      socketsCreated++;
      return createConnection(...args);
    }) as typeof agent.createConnection;
    try {
      const client = new CommunicationIdentityClient(`endpoint=${server.url}/;accesskey=${ACCESS_KEY}`, {
        agent,
        allowInsecureConnection: true,
      });
      await expect(client.createUser()).resolves.toEqual({ communicationUserId: "8:acs:resource_user" });
      expect(socketsCreated).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it("follows a redirect and signs the redirected request afresh", async () => {
    const httpClient = createFakeHttpClient((request, attempt) =>
      attempt === 1 ? { status: 307, headers: { location: `${ENDPOINT}/moved/identities?api-version=2025-03-02-preview` } } : serviceAnswer(request),
    );
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    await client.createUser();
    expect(httpClient.requests.map((request) => new URL(request.url).pathname)).toEqual(["/identities", "/moved/identities"]);
    const [first, second] = httpClient.requests.map((request) => request.headers.authorization);
    expect(second).toMatch(/^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=/);
    expect(second).not.toBe(first);
  });

  it("does not follow redirects past redirectOptions.maxRetries", async () => {
    const httpClient = createFakeHttpClient(() => ({ status: 307, headers: { location: `${ENDPOINT}/elsewhere` } }));
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient, redirectOptions: { maxRetries: 0 } });
    await expect(client.createUser()).rejects.toMatchObject({ statusCode: 307 });
    expect(httpClient.requests).toHaveLength(1);
  });
});
