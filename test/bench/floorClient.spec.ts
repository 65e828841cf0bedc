import { createPipelineRequest, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { createCommunicationAccessKeyCredentialPolicy } from "@azure/communication-common";
import { AzureKeyCredential } from "@azure/core-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANNED_EXPIRES_ON, CANNED_TOKEN, CANNED_USER_ID, startCannedServer } from "../../bench/cannedServer.mjs";
import { createFloorClient, parseBenchConnectionString, signRequest } from "../../bench/floorClient.mjs";

const ACCESS_KEY = Buffer.from("bench-test-key-0123456789abcdef").toString("base64");

/** Signs through communication-common's policy (the oracle) and returns the headers it set. */
async function oracleHeaders(method: "GET" | "POST" | "DELETE", url: string, body: string) {
  const policy = createCommunicationAccessKeyCredentialPolicy(new AzureKeyCredential(ACCESS_KEY));
  const request = createPipelineRequest({ url, method, body: body || undefined });
  let seen: PipelineRequest | undefined;
  await policy.sendRequest(request, async (sent) => {
    seen = sent;
    return { request: sent, status: 200, headers: sent.headers } as PipelineResponse;
  });
  return seen!.headers;
}

describe("signRequest (the floor's HMAC signing)", () => {
  const cases: Array<[string, "GET" | "POST" | "DELETE", string, string]> = [
    ["create with a body", "POST", "http://127.0.0.1:4321/identities?api-version=2023-10-01", '{"createTokenWithScopes":["chat"]}'],
    ["an escaped id and an empty body", "DELETE", "http://127.0.0.1:4321/identities/8%3Aacs%3Aabc_1?api-version=2025-03-02-preview", ""],
    ["a default port and a query that re-encodes", "GET", "https://res.communication.azure.com/identities/x?api-version=1&a=b c~&flag", ""],
  ];
  it.each(cases)("matches @azure/communication-common's policy for %s", async (_name, method, url, body) => {
    const expected = await oracleHeaders(method, url, body);
    const date = expected.get("x-ms-date")!;
    const ours = signRequest({ method, url: new URL(url), body, key: Buffer.from(ACCESS_KEY, "base64"), date });
    expect(ours["x-ms-content-sha256"]).toBe(expected.get("x-ms-content-sha256"));
    expect(ours.authorization).toBe(expected.get("authorization"));
  });

  it("hashes an empty body as the SHA-256 of the empty string", () => {
    const headers = signRequest({ method: "POST", url: new URL("http://h/identities"), body: "", key: Buffer.alloc(8) });
    expect(headers["x-ms-content-sha256"]).toBe("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  });
});

describe("parseBenchConnectionString", () => {
  it("splits endpoint and key, keys case-insensitive", () => {
    expect(parseBenchConnectionString(`Endpoint=http://127.0.0.1:1/;AccessKey=${ACCESS_KEY}`)).toEqual({
      endpoint: "http://127.0.0.1:1/",
      accessKey: ACCESS_KEY,
    });
  });

  it("rejects a malformed string without echoing it", () => {
    expect(() => parseBenchConnectionString(`accesskey=${ACCESS_KEY}`)).toThrow(/endpoint=/);
    try {
      parseBenchConnectionString(`accesskey=${ACCESS_KEY}`);
    } catch (error) {
      expect((error as Error).message).not.toContain(ACCESS_KEY);
    }
  });
});

describe("createFloorClient against the canned server", () => {
  let server: { port: number; close(): Promise<void> };
  beforeAll(async () => {
    server = await startCannedServer(0);
  });
  afterAll(async () => {
    await server.close();
  });

  it("createUserAndToken maps the 201 body to token, Date expiry and user", async () => {
    const client = createFloorClient({ endpoint: `http://127.0.0.1:${server.port}/`, accessKey: ACCESS_KEY });
    try {
      const result = await client.createUserAndToken(["chat"]);
      expect(result.token).toBe(CANNED_TOKEN);
      expect(result.expiresOn).toEqual(new Date(CANNED_EXPIRES_ON));
      expect(result.user).toEqual({ communicationUserId: CANNED_USER_ID });
    } finally {
      client.close();
    }
  });

  it("getToken and createUser reach their routes", async () => {
    const client = createFloorClient({ endpoint: `http://127.0.0.1:${server.port}/`, accessKey: ACCESS_KEY });
    try {
      const user = await client.createUser();
      expect(user).toEqual({ communicationUserId: CANNED_USER_ID });
      const token = await client.getToken(user, ["voip"]);
      expect(token.token).toBe(CANNED_TOKEN);
      expect(token.expiresOn.getTime()).toBe(Date.parse(CANNED_EXPIRES_ON));
    } finally {
      client.close();
    }
  });

  it("rejects when the server is not there", async () => {
    const client = createFloorClient({ endpoint: "http://127.0.0.1:1/", accessKey: ACCESS_KEY });
    await expect(client.createUserAndToken(["chat"])).rejects.toMatchObject({ code: "ECONNREFUSED" });
    client.close();
  });
});
