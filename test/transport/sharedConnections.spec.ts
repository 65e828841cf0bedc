import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpHeaders } from "@azure/core-rest-pipeline";
import { CommunicationIdentityClient, type CommunicationIdentityClientOptions } from "../../src/index.js";
import { startServer, type TestServer } from "./testServers.js";

// Any base64 key: this server does not verify signatures.
const accessKey = Buffer.alloc(32, 1).toString("base64");

let server: TestServer;
beforeAll(async () => {
  server = await startServer((_req, res) => {
    res.writeHead(201, { "content-type": "application/json" });
    res.end(JSON.stringify({ identity: { id: "8:acs:shared" } }));
  });
});
afterAll(async () => {
  await server?.close();
});

const newClient = (options: CommunicationIdentityClientOptions = {}): CommunicationIdentityClient =>
  new CommunicationIdentityClient(`endpoint=${server.url};accesskey=${accessKey}`, { allowInsecureConnection: true, ...options });

describe("the default HTTP client", () => {
  it("is one per process: 20 clients calling one after another share one keep-alive connection", async () => {
    const start = server.connections;
    const clients = Array.from({ length: 20 }, () => newClient());
    for (const client of clients) expect(await client.createUser()).toEqual({ communicationUserId: "8:acs:shared" });
    expect(server.connections - start).toBe(1);
  });

  it("lets clients reuse each other's connections: a second round of 20 concurrent calls opens none", async () => {
    const clients = Array.from({ length: 20 }, () => newClient());
    await Promise.all(clients.map((client) => client.createUser()));
    const afterFirstRound = server.connections;
    await Promise.all(Array.from({ length: 20 }, () => newClient()).map((client) => client.createUser()));
    expect(server.connections).toBe(afterFirstRound);
  });

  it("is not used by a client given its own agent: the agent opens the connection", async () => {
    const agent = new http.Agent({ keepAlive: true });
    let created = 0;
    const createConnection = agent.createConnection.bind(agent);
    agent.createConnection = ((...args: Parameters<typeof createConnection>) => {
      created++;
      return createConnection(...args);
    }) as typeof agent.createConnection;
    await newClient().createUser(); // a pooled default connection exists and is free
    const start = server.connections;
    await newClient({ agent }).createUser();
    expect(created).toBe(1);
    expect(server.connections - start).toBe(1);
    agent.destroy();
  });

  it("is not used by a client given its own httpClient", async () => {
    let sent = 0;
    const start = server.connections;
    const client = newClient({
      httpClient: {
        sendRequest: async (request) => {
          sent++;
          return { request, status: 201, headers: createHttpHeaders(), bodyAsText: '{"identity":{"id":"8:acs:own"}}' };
        },
      },
    });
    expect(await client.createUser()).toEqual({ communicationUserId: "8:acs:own" });
    expect(sent).toBe(1);
    expect(server.connections).toBe(start);
  });
});
