import { CommunicationIdentityClient as OfficialClient } from "@azure/communication-identity";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommunicationIdentityClient, type CommunicationIdentityClientOptions } from "../../src/index.js";
import {
  CONNECTION_STRING,
  createFakeHttpClient,
  ENCODED_USER_ID,
  ENDPOINT,
  SERVICE_DATE_MS,
  serviceAnswer,
  USER_ID,
  type CapturedRequest,
} from "./fakeHttpClient.js";

const user = { communicationUserId: USER_ID };
const API_VERSIONS = ["2025-03-02-preview", "2023-10-01"] as const;

function setup(options: CommunicationIdentityClientOptions = {}) {
  const httpClient = createFakeHttpClient(serviceAnswer);
  const client = new CommunicationIdentityClient(CONNECTION_STRING, { ...options, httpClient });
  const last = (): CapturedRequest => httpClient.requests[httpClient.requests.length - 1];
  return { client, httpClient, last };
}

describe.each(API_VERSIONS)("with api-version %s", (apiVersion) => {
  const query = `?api-version=${apiVersion}`;

  describe("createUser", () => {
    it("sends POST /identities with an empty body yet a JSON Content-Type", async () => {
      const { client, last } = setup({ apiVersion });
      const created = await client.createUser();
      expect(created).toEqual({ communicationUserId: USER_ID });
      expect(last().method).toBe("POST");
      expect(last().url).toBe(`${ENDPOINT}/identities${query}`);
      expect(last().body).toBeUndefined();
      expect(last().headers["content-type"]).toBe("application/json");
      expect(last().headers["accept"]).toBe("application/json");
      expect(last().headers["x-ms-content-sha256"]).toBe("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    });

    it("returns exactly { communicationUserId }, no _response", async () => {
      const { client } = setup({ apiVersion });
      const created = await client.createUser({});
      expect(Object.keys(created)).toEqual(["communicationUserId"]);
    });
  });

  describe("createUserAndToken", () => {
    it("sends only createTokenWithScopes when no expiry is given", async () => {
      const { client, last } = setup({ apiVersion });
      const result = await client.createUserAndToken(["chat", "voip"]);
      expect(last().url).toBe(`${ENDPOINT}/identities${query}`);
      expect(last().body).toBe('{"createTokenWithScopes":["chat","voip"]}');
      expect(result).toEqual({ token: "token-jwt", expiresOn: new Date(SERVICE_DATE_MS), user });
      expect(Object.keys(result).sort()).toEqual(["expiresOn", "token", "user"]);
    });

    it("sends expiresInMinutes only when given", async () => {
      const { client, last } = setup({ apiVersion });
      await client.createUserAndToken(["chat"], { tokenExpiresInMinutes: 60 });
      expect(last().body).toBe('{"createTokenWithScopes":["chat"],"expiresInMinutes":60}');
    });

    it("does not check the expiry range nor the scope names (the service does)", async () => {
      const { client, last } = setup({ apiVersion });
      await client.createUserAndToken(["not-a-scope" as "chat"], { tokenExpiresInMinutes: 5 });
      expect(last().body).toBe('{"createTokenWithScopes":["not-a-scope"],"expiresInMinutes":5}');
    });
  });

  describe("getToken", () => {
    it("POSTs :issueAccessToken with the id percent-encoded", async () => {
      const { client, last } = setup({ apiVersion });
      const token = await client.getToken(user, ["chat"]);
      expect(last().method).toBe("POST");
      expect(last().url).toBe(`${ENDPOINT}/identities/${ENCODED_USER_ID}/:issueAccessToken${query}`);
      expect(last().body).toBe('{"scopes":["chat"]}');
      expect(last().headers["content-type"]).toBe("application/json");
      expect(token).toEqual({ token: "token-jwt", expiresOn: new Date(SERVICE_DATE_MS) });
      expect(token.expiresOn.getTime()).toBe(SERVICE_DATE_MS);
    });

    it("sends expiresInMinutes only when given", async () => {
      const { client, last } = setup({ apiVersion });
      await client.getToken(user, ["voip", "chat"], { tokenExpiresInMinutes: 1440 });
      expect(last().body).toBe('{"scopes":["voip","chat"],"expiresInMinutes":1440}');
    });

    it("encodes every reserved character of the id with encodeURIComponent", async () => {
      const { client, last } = setup({ apiVersion });
      const id = "8:acs:a/b?c#d e%f";
      await client.getToken({ communicationUserId: id }, []);
      expect(last().url).toBe(`${ENDPOINT}/identities/${encodeURIComponent(id)}/:issueAccessToken${query}`);
    });
  });

  describe("revokeTokens", () => {
    it("sends no body and no Content-Type, resolves to undefined on 204", async () => {
      const { client, last } = setup({ apiVersion });
      await expect(client.revokeTokens(user)).resolves.toBeUndefined();
      expect(last().method).toBe("POST");
      expect(last().url).toBe(`${ENDPOINT}/identities/${ENCODED_USER_ID}/:revokeAccessTokens${query}`);
      expect(last().body).toBeUndefined();
      expect(last().headers["content-type"]).toBeUndefined();
    });
  });

  describe("deleteUser", () => {
    it("sends DELETE /identities/{id}", async () => {
      const { client, last } = setup({ apiVersion });
      await expect(client.deleteUser(user)).resolves.toBeUndefined();
      expect(last().method).toBe("DELETE");
      expect(last().url).toBe(`${ENDPOINT}/identities/${ENCODED_USER_ID}${query}`);
      expect(last().body).toBeUndefined();
      expect(last().headers["content-type"]).toBeUndefined();
    });
  });

  describe("getTokenForTeamsUser", () => {
    it("maps the options to token/appId/userId in this order", async () => {
      const { client, last } = setup({ apiVersion });
      const token = await client.getTokenForTeamsUser({ teamsUserAadToken: "aad", clientId: "app", userObjectId: "oid" });
      expect(last().method).toBe("POST");
      expect(last().url).toBe(`${ENDPOINT}/teamsUser/:exchangeAccessToken${query}`);
      expect(last().body).toBe('{"token":"aad","appId":"app","userId":"oid"}');
      expect(token).toEqual({ token: "token-jwt", expiresOn: new Date(SERVICE_DATE_MS) });
    });
  });
});

describe("without an apiVersion option (customId and getUser go out with 2025-03-02-preview)", () => {
  it("sends createUser() with the newest stable api-version", async () => {
    const { client, last } = setup();
    await client.createUser();
    expect(last().url).toBe(`${ENDPOINT}/identities?api-version=2026-09-23`);
  });

  it("createUser sends customId when given", async () => {
    const { client, last } = setup();
    await client.createUser({ customId: "sally@contoso.com" });
    expect(last().body).toBe('{"customId":"sally@contoso.com"}');
  });

  it("createUserAndToken appends customId after the token fields", async () => {
    const { client, last } = setup();
    await client.createUserAndToken(["chat"], { tokenExpiresInMinutes: 60, customId: "c" });
    expect(last().body).toBe('{"createTokenWithScopes":["chat"],"expiresInMinutes":60,"customId":"c"}');
  });

  it("getUser maps id, customId and lastTokenIssuedAt (to the millisecond) and ignores extra fields", async () => {
    const { client, last } = setup();
    const detail = await client.getUser(user);
    expect(last().method).toBe("GET");
    expect(last().url).toBe(`${ENDPOINT}/identities/${ENCODED_USER_ID}?api-version=2025-03-02-preview`);
    expect(last().headers["content-type"]).toBeUndefined();
    expect(detail).toEqual({ user, customId: "sally@contoso.com", lastTokenIssuedAt: new Date(SERVICE_DATE_MS) });
    expect(Object.keys(detail).sort()).toEqual(["customId", "lastTokenIssuedAt", "user"]);
  });

  it("getUser leaves absent fields absent (no undefined keys)", async () => {
    const httpClient = createFakeHttpClient(() => ({ status: 200, body: { id: USER_ID } }));
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    const detail = await client.getUser(user);
    expect(detail).toStrictEqual({ user: { communicationUserId: USER_ID } });
    expect("customId" in detail).toBe(false);
    expect("lastTokenIssuedAt" in detail).toBe(false);
  });

  it("getUserDetail is getUser", async () => {
    const { client, last } = setup();
    const detail = await client.getUserDetail(user);
    expect(last().method).toBe("GET");
    expect(detail.customId).toBe("sally@contoso.com");
  });

  it.each([
    ["2025-04-18T14:46:09.2469181+00:00", Date.UTC(2025, 3, 18, 14, 46, 9, 246)],
    ["2025-04-18T14:46:09.9999999Z", Date.UTC(2025, 3, 18, 14, 46, 9, 999)],
    ["2025-04-18T14:46:09Z", Date.UTC(2025, 3, 18, 14, 46, 9, 0)],
    ["2025-04-18T14:46:09.5+02:00", Date.UTC(2025, 3, 18, 12, 46, 9, 500)],
    ["2025-04-18T14:46:09.12-05:30", Date.UTC(2025, 3, 18, 20, 16, 9, 120)],
  ])("parses expiresOn %s exactly", async (wire, expected) => {
    const httpClient = createFakeHttpClient(() => ({ status: 200, body: { token: "t", expiresOn: wire } }));
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    const token = await client.getToken(user, ["chat"]);
    expect(token.expiresOn.getTime()).toBe(expected);
  });
});

describe("wire equality with @azure/communication-identity 1.3.1 (api-version 2023-10-01)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-02T03:04:05Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const calls: Array<[string, (client: CommunicationIdentityClient | OfficialClient) => Promise<unknown>]> = [
    ["createUser()", (c) => c.createUser()],
    ["createUserAndToken(scopes)", (c) => c.createUserAndToken(["chat", "voip"])],
    ["createUserAndToken(scopes, expiry)", (c) => c.createUserAndToken(["chat"], { tokenExpiresInMinutes: 90 })],
    ["getToken(user, scopes)", (c) => c.getToken(user, ["chat.join", "voip.join"])],
    ["getToken(user, scopes, expiry)", (c) => c.getToken(user, ["chat"], { tokenExpiresInMinutes: 120 })],
    ["revokeTokens(user)", (c) => c.revokeTokens(user)],
    ["deleteUser(user)", (c) => c.deleteUser(user)],
    ["getTokenForTeamsUser", (c) => c.getTokenForTeamsUser({ teamsUserAadToken: "aad", clientId: "app", userObjectId: "oid" })],
  ];

  it.each(calls)("%s sends the same method, URL, body, content headers and signature", async (_name, call) => {
    const ours = createFakeHttpClient(serviceAnswer);
    const theirs = createFakeHttpClient(serviceAnswer);
    const ourResult = await call(new CommunicationIdentityClient(CONNECTION_STRING, { httpClient: ours, apiVersion: "2023-10-01" }));
    const theirResult = await call(new OfficialClient(CONNECTION_STRING, { httpClient: theirs }));
    const pick = (r: CapturedRequest) => ({
      method: r.method,
      url: r.url,
      body: r.body ?? "",
      accept: r.headers["accept"],
      contentType: r.headers["content-type"],
      date: r.headers["x-ms-date"],
      hash: r.headers["x-ms-content-sha256"],
      authorization: r.headers["authorization"],
    });
    expect(pick(ours.requests[0])).toEqual(pick(theirs.requests[0]));
    // The official client passes unknown response fields through; ours drops them by design.
    const known = (value: unknown) => JSON.parse(JSON.stringify(value ?? null, (key, v) => (key === "unknownField" ? undefined : v)));
    expect(known(ourResult)).toEqual(known(theirResult));
  });
});
