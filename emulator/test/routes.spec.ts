import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { accessKeyOf, hmacHeaders, rawRequest, signedRequest, verifyToken } from "../../test/helpers/emulatorSigner.js";

const STABLE = "api-version=2023-10-01";
const PREVIEW = "api-version=2025-03-02-preview";
const SERVICE_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/;

let emulator: IdentityEmulator;
beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
});
afterAll(() => emulator.close());

const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  signedRequest(emulator, method, path, { body, headers });

async function newUser(): Promise<string> {
  const res = await call("POST", `/identities?${STABLE}`);
  expect(res.status).toBe(201);
  return res.json.identity.id as string;
}

const enc = encodeURIComponent;

describe("POST /identities", () => {
  it("creates an identity of this resource without a token when none is asked", async () => {
    const res = await call("POST", `/identities?${STABLE}`);
    expect(res.status).toBe(201);
    expect(res.json.identity.id).toMatch(new RegExp(`^8:acs:${emulator.resourceId}_[0-9a-f-]{36}$`));
    expect(res.json).not.toHaveProperty("accessToken");
  });

  it("creates an identity with a token when scopes are asked, expiring after expiresInMinutes", async () => {
    const before = Date.now();
    const res = await call("POST", `/identities?${STABLE}`, { createTokenWithScopes: ["chat", "voip"], expiresInMinutes: 60 });
    expect(res.status).toBe(201);
    expect(res.json.accessToken.token.split(".")).toHaveLength(3);
    expect(res.json.accessToken.expiresOn).toMatch(SERVICE_DATE);
    const expiresOn = Date.parse(res.json.accessToken.expiresOn);
    expect(expiresOn - before).toBeGreaterThanOrEqual(60 * 60_000 - 1000);
    expect(expiresOn - before).toBeLessThanOrEqual(60 * 60_000 + 5000);
  });

  it("defaults the token lifetime to 1440 minutes", async () => {
    const res = await call("POST", `/identities?${STABLE}`, { createTokenWithScopes: ["chat"] });
    const lifetime = Date.parse(res.json.accessToken.expiresOn) - Date.now();
    expect(lifetime).toBeGreaterThan(1439 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(1440 * 60_000);
  });

  it("returns the same identity for the same customId (201 both times) on the preview version", async () => {
    const first = await call("POST", `/identities?${PREVIEW}`, { customId: "alice@contoso.com" });
    const second = await call("POST", `/identities?${PREVIEW}`, { customId: "alice@contoso.com", createTokenWithScopes: ["chat"] });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json.identity.id).toBe(first.json.identity.id);
    expect(second.json.identity.customId).toBe("alice@contoso.com");
    expect(second.json.identity.lastTokenIssuedAt).toMatch(SERVICE_DATE);
  });

  it("refuses customId on 2023-10-01", async () => {
    const res = await call("POST", `/identities?${STABLE}`, { customId: "bob" });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "ValidationError", target: "customId" });
    expect(res.json.error.message).toContain("2025-03-02-preview");
  });

  it.each([["empty", ""], ["too long", "x".repeat(257)], ["not a string", 42]] as Array<[string, unknown]>)("rejects a customId that is %s", async (_label, customId) => {
    const res = await call("POST", `/identities?${PREVIEW}`, { customId });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "ValidationError", target: "customId" });
  });

  it("accepts a 256-character customId", async () => {
    const res = await call("POST", `/identities?${PREVIEW}`, { customId: "y".repeat(256) });
    expect(res.status).toBe(201);
  });

  it.each([59, 1441])("rejects expiresInMinutes %i with the service's message", async (minutes) => {
    const res = await call("POST", `/identities?${STABLE}`, { createTokenWithScopes: ["chat"], expiresInMinutes: minutes });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: {
        code: "ValidationError",
        message: `ExpiresInMinutes value ${minutes} is invalid. Value must be within the [60, 1440] interval.`,
        target: "ExpiresInMinutes",
      },
    });
  });

  it("rejects an empty createTokenWithScopes and unknown scope names", async () => {
    const empty = await call("POST", `/identities?${STABLE}`, { createTokenWithScopes: [] });
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatchObject({ code: "ValidationError", message: "Invalid scopes - Scopes field is required." });
    const unknown = await call("POST", `/identities?${STABLE}`, { createTokenWithScopes: ["teleport"] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe("ValidationError");
  });

  it("answers malformed JSON and non-object bodies with 400 in the envelope", async () => {
    const bad = await call("POST", `/identities?${STABLE}`, "{not json");
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "BadRequest" });
    const array = await call("POST", `/identities?${STABLE}`, "[1,2]");
    expect(array.status).toBe(400);
    expect(array.json.error.code).toBe("ValidationError");
  });
});

describe("GET /identities/{id}", () => {
  it("returns id, customId and lastTokenIssuedAt on the preview version", async () => {
    const created = await call("POST", `/identities?${PREVIEW}`, { customId: "get-me", createTokenWithScopes: ["voip"] });
    const id = created.json.identity.id as string;
    const res = await call("GET", `/identities/${enc(id)}?${PREVIEW}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id, customId: "get-me", lastTokenIssuedAt: expect.stringMatching(SERVICE_DATE) });
  });

  it("omits lastTokenIssuedAt until a token is issued", async () => {
    const id = await newUser();
    const res = await call("GET", `/identities/${enc(id)}?${PREVIEW}`);
    expect(res.json).toEqual({ id });
  });

  it("is not available on 2023-10-01", async () => {
    const id = await newUser();
    const res = await call("GET", `/identities/${enc(id)}?${STABLE}`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("UnsupportedApiVersion");
    expect(res.headers["api-supported-versions"]).toBe("2025-03-02-preview");
  });

  it("accepts an id whose colons were not percent-encoded", async () => {
    const id = await newUser();
    const res = await call("GET", `/identities/${id}?${PREVIEW}`);
    expect(res.status).toBe(200);
  });
});

describe("POST /identities/{id}/:issueAccessToken", () => {
  it("issues a token and records lastTokenIssuedAt", async () => {
    const id = await newUser();
    const res = await call("POST", `/identities/${enc(id)}/:issueAccessToken?${STABLE}`, { scopes: ["chat"], expiresInMinutes: 1440 });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(["expiresOn", "token"]);
    const claims = JSON.parse(Buffer.from(res.json.token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ skypeid: id.slice(2), acsScope: "chat", resourceId: emulator.resourceId });
    expect(typeof claims.iat).toBe("number");
    expect(claims.exp * 1000).toBe(Math.floor(Date.parse(res.json.expiresOn) / 1000) * 1000);
    const got = await call("GET", `/identities/${enc(id)}?${PREVIEW}`);
    expect(got.json.lastTokenIssuedAt).toMatch(SERVICE_DATE);
  });

  it("rejects empty scopes with the service's exact error", async () => {
    const id = await newUser();
    const res = await call("POST", `/identities/${enc(id)}/:issueAccessToken?${STABLE}`, { scopes: [] });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: { code: "ValidationError", message: "Invalid scopes - Scopes field is required.", target: "scopes" } });
    const missing = await call("POST", `/identities/${enc(id)}/:issueAccessToken?${STABLE}`, {});
    expect(missing.json.error.target).toBe("scopes");
  });

  it.each([59, 1441])("rejects expiresInMinutes %i", async (minutes) => {
    const id = await newUser();
    const res = await call("POST", `/identities/${enc(id)}/:issueAccessToken?${STABLE}`, { scopes: ["chat"], expiresInMinutes: minutes });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe(`ExpiresInMinutes value ${minutes} is invalid. Value must be within the [60, 1440] interval.`);
  });

  it("requires a body", async () => {
    const id = await newUser();
    const res = await call("POST", `/identities/${enc(id)}/:issueAccessToken?${STABLE}`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("ValidationError");
  });
});

describe("identity errors on every identity route", () => {
  const otherResource = "8:acs:11111111-2222-3333-4444-555555555555_00000005-14a2-493b-8a72-5a3a0d000081";
  const operations = [
    ["GET", (id: string) => `/identities/${enc(id)}?${PREVIEW}`, undefined],
    ["DELETE", (id: string) => `/identities/${enc(id)}?${STABLE}`, undefined],
    ["POST", (id: string) => `/identities/${enc(id)}/:revokeAccessTokens?${STABLE}`, undefined],
    ["POST", (id: string) => `/identities/${enc(id)}/:issueAccessToken?${STABLE}`, { scopes: ["chat"] }],
  ] as const;

  it.each(operations)("%s %s: another resource's id → 401 IdentityNotOwned", async (method, path, body) => {
    const res = await call(method, path(otherResource), body);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: { code: "IdentityNotOwned", message: "Provided identity doesn't belong to the resource." } });
  });

  it.each(operations)("%s %s: never-created id → 404 IdentityNotFound", async (method, path, body) => {
    const res = await call(method, path(`8:acs:${emulator.resourceId}_00000000-0000-0000-0000-000000000000`), body);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: { code: "IdentityNotFound", message: "Provided identity doesn't exist." } });
  });

  it.each(operations)("%s %s: malformed id → 400 ValidationError", async (method, path, body) => {
    const res = await call(method, path("not-an-id"), body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "ValidationError", target: "id" });
  });
});

describe("DELETE /identities/{id} and :revokeAccessTokens", () => {
  it("deletes (204, empty body), then the identity is 404 everywhere", async () => {
    const id = await newUser();
    const res = await call("DELETE", `/identities/${enc(id)}?${STABLE}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const again = await call("DELETE", `/identities/${enc(id)}?${STABLE}`);
    expect(again.status).toBe(404);
    expect(again.json.error.message).toBe("Provided identity doesn't exist.");
  });

  it("frees a deleted identity's customId", async () => {
    const first = await call("POST", `/identities?${PREVIEW}`, { customId: "recycled" });
    await call("DELETE", `/identities/${enc(first.json.identity.id)}?${PREVIEW}`);
    const second = await call("POST", `/identities?${PREVIEW}`, { customId: "recycled" });
    expect(second.json.identity.id).not.toBe(first.json.identity.id);
  });

  it("revokes with 204 and no body", async () => {
    const id = await newUser();
    const res = await call("POST", `/identities/${enc(id)}/:revokeAccessTokens?${STABLE}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
  });
});

describe("POST /teamsUser/:exchangeAccessToken", () => {
  const appId = "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac";
  const userId = "32c0a5db-05ec-78ea-51ab-3f06b329397e";
  const exchange = (body: unknown) => call("POST", `/teamsUser/:exchangeAccessToken?${STABLE}`, body);

  it("returns a token for 8:orgid:<oid> expiring with the Entra token", async () => {
    const expiresOn = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 60_000);
    const token = emulator.createTeamsUserAadToken({ appId, userObjectId: userId, expiresOn });
    const res = await exchange({ token, appId, userId });
    expect(res.status).toBe(200);
    expect(Date.parse(res.json.expiresOn)).toBe(expiresOn.getTime());
    const verdict = await verifyToken(emulator, res.json.token);
    expect(verdict).toMatchObject({ valid: true, identity: `8:orgid:${userId}` });
  });

  it.each([
    ["expired", () => emulator.createTeamsUserAadToken({ appId, userObjectId: userId, expiresOn: new Date(Date.now() - 1000) })],
    ["missing a Teams scope", () => emulator.createTeamsUserAadToken({ appId, userObjectId: userId, scopes: ["https://auth.msft.communication.azure.com/Teams.ManageCalls"] })],
    ["not a JWT", () => "AzureActiveDirectoryAccessTokenOfATeamsUser"],
    ["signed by someone else", () => {
      const [h, p] = emulator.createTeamsUserAadToken({ appId, userObjectId: userId }).split(".");
      return `${h}.${p}.${Buffer.from("forged-signature-forged-signature").toString("base64url")}`;
    }],
  ])("answers 401 InvalidAccessToken for a token %s", async (_label, make) => {
    const res = await exchange({ token: make(), appId, userId });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: { code: "InvalidAccessToken", message: "Provided access token is not valid." } });
  });

  it("answers 400 with target appId/userId for malformed or mismatching ids", async () => {
    const token = emulator.createTeamsUserAadToken({ appId, userObjectId: userId });
    const malformedApp = await exchange({ token, appId: "nope", userId });
    expect(malformedApp.json).toEqual({ error: { code: "ValidationError", message: "Provided AppId has invalid format.", target: "appId" } });
    const otherApp = await exchange({ token, appId: "00000000-0000-0000-0000-000000000001", userId });
    expect(otherApp.status).toBe(400);
    expect(otherApp.json.error.target).toBe("appId");
    const malformedUser = await exchange({ token, appId, userId: "nope" });
    expect(malformedUser.json).toEqual({ error: { code: "ValidationError", message: "Provided UserId has invalid format.", target: "userId" } });
    const otherUser = await exchange({ token, appId, userId: "00000000-0000-0000-0000-000000000002" });
    expect(otherUser.status).toBe(400);
    expect(otherUser.json.error.target).toBe("userId");
  });

  it("requires token, appId and userId", async () => {
    const res = await exchange({ appId, userId });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "ValidationError", target: "token" });
  });
});

describe("api-version", () => {
  it("answers an unknown version with 400 naming it and api-supported-versions", async () => {
    const res = await call("POST", "/identities?api-version=2020-01-01");
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("UnsupportedApiVersion");
    expect(res.json.error.message).toContain("2020-01-01");
    expect(res.headers["api-supported-versions"]).toBe("2021-03-07, 2022-06-01, 2022-10-01, 2023-10-01, 2025-03-02-preview, 2025-06-30, 2026-09-23");
  });

  it("requires api-version", async () => {
    const res = await call("POST", "/identities");
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("MissingApiVersionParameter");
  });
});

describe("HTTP surface", () => {
  it("sends the service's response headers and echoes x-ms-client-request-id", async () => {
    const res = await call("POST", `/identities?${STABLE}`, undefined, { "x-ms-client-request-id": "req-123" });
    expect(res.headers["x-ms-client-request-id"]).toBe("req-123");
    expect(res.headers["api-supported-versions"]).toBeDefined();
    expect(res.headers["ms-cv"]).toBeTruthy();
    expect(res.headers["x-processing-time"]).toMatch(/^\d+ms$/);
  });

  it("answers unknown routes with 404 and known paths with a wrong method with 405, in the envelope", async () => {
    const missing = await call("GET", `/nothing-here?${STABLE}`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("NotFound");
    const wrong = await call("PUT", `/identities?${STABLE}`);
    expect(wrong.status).toBe(405);
    expect(wrong.json.error.code).toBe("MethodNotAllowed");
    expect(wrong.headers.allow).toBe("POST");
  });

  it("answers bodies over 1 MiB with 413", async () => {
    const res = await call("POST", `/identities?${STABLE}`, JSON.stringify({ customId: "x".repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe("RequestEntityTooLarge");
  });

  it("answers CORS preflight, echoing origin and requested headers", async () => {
    const requested = "authorization,x-ms-date,x-ms-content-sha256,x-ms-client-request-id,x-ms-useragent,content-type,traceparent";
    const res = await rawRequest(`${emulator.endpoint}identities?${STABLE}`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST", "access-control-request-headers": requested },
    });
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    expect(res.headers["access-control-allow-methods"]).toContain("POST");
    expect(res.headers["access-control-allow-headers"]).toBe(requested);
    expect(Number(res.headers["access-control-max-age"])).toBeGreaterThan(0);
  });

  it("exposes response headers to browser origins on actual responses", async () => {
    const res = await call("POST", `/identities?${STABLE}`, undefined, { origin: "http://localhost:5173" });
    expect(res.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    const exposed = String(res.headers["access-control-expose-headers"]).split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["api-supported-versions", "ms-cv", "x-ms-client-request-id", "retry-after", "x-processing-time"]));
  });

  it("keeps serving after garbage requests", async () => {
    const weird = await rawRequest(`${emulator.endpoint}%zz/../identities?api-version=%%`, { method: "POST", body: "\u0000\u0001" });
    expect(weird.status).toBeGreaterThanOrEqual(400);
    const url = `${emulator.endpoint}identities?${STABLE}`;
    const afterwards = await rawRequest(url, { method: "POST", headers: hmacHeaders({ method: "POST", url, accessKey: accessKeyOf(emulator.connectionString) }) });
    expect(afterwards.status).toBe(201);
  });
});
