import { describe, expect, it } from "vitest";
import { cannedAnswer, CANNED_USER_ID, startCannedServer } from "../../bench/cannedServer.mjs";

const id = encodeURIComponent(CANNED_USER_ID);

describe("cannedAnswer", () => {
  it.each([
    ["POST", "/identities", "", 201],
    ["POST", "/identities", '{"createTokenWithScopes":["chat"]}', 201],
    ["POST", `/identities/${id}/:issueAccessToken`, '{"scopes":["chat"]}', 200],
    ["POST", `/identities/${id}/:revokeAccessTokens`, "", 204],
    ["DELETE", `/identities/${id}`, "", 204],
    ["GET", `/identities/${id}`, "", 200],
    ["POST", "/teamsUser/:exchangeAccessToken", "{}", 200],
    ["GET", "/nowhere", "", 404],
    ["PUT", `/identities/${id}`, "", 404],
  ])("%s %s answers %s", (method, path, body, status) => {
    expect(cannedAnswer(method, path, body).status).toBe(status);
  });

  it("answers a token only when createTokenWithScopes is asked for", () => {
    expect(JSON.parse(cannedAnswer("POST", "/identities", "").body)).toEqual({ identity: { id: CANNED_USER_ID } });
    const withToken = JSON.parse(cannedAnswer("POST", "/identities", '{"createTokenWithScopes":["chat"]}').body);
    expect(withToken.accessToken.expiresOn).toMatch(/\.\d{7}\+00:00$/);
    expect(withToken.accessToken.token.split(".")).toHaveLength(3);
  });
});

describe("startCannedServer", () => {
  it("serves over keep-alive with the service's headers and echoes the client request id", async () => {
    const server = await startCannedServer(0);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/identities/${id}/:issueAccessToken?api-version=2023-10-01`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-ms-client-request-id": "req-1" },
        body: '{"scopes":["chat"]}',
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-ms-client-request-id")).toBe("req-1");
      expect(response.headers.get("api-supported-versions")).toContain("2023-10-01");
      expect(response.headers.get("connection")).toBe("keep-alive");
      expect((await response.json()).token).toEqual(expect.any(String));
    } finally {
      await server.close();
    }
  });
});
