import { describe, expect, it } from "vitest";
import { CommunicationIdentityClient, KnownApiVersion } from "../src/index.js";
import { CONNECTION_STRING, createFakeHttpClient, serviceAnswer, USER_ID } from "./client/fakeHttpClient.js";

const user = { communicationUserId: USER_ID };
const teams = { teamsUserAadToken: "aad", clientId: "app", userObjectId: "oid" };
const versionOf = (url: string): string | null => new URL(url).searchParams.get("api-version");

function setup(apiVersion?: string) {
  const httpClient = createFakeHttpClient(serviceAnswer);
  const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient, ...(apiVersion === undefined ? {} : { apiVersion }) });
  return { client, httpClient, sentVersion: () => versionOf(httpClient.requests[httpClient.requests.length - 1].url) };
}

type Call = [string, (client: CommunicationIdentityClient) => Promise<unknown>];

const classicCalls: Call[] = [
  ["createUser()", (c) => c.createUser()],
  ["createUserAndToken(scopes)", (c) => c.createUserAndToken(["chat"])],
  ["createUserAndToken(scopes, { tokenExpiresInMinutes })", (c) => c.createUserAndToken(["chat"], { tokenExpiresInMinutes: 60 })],
  ["getToken", (c) => c.getToken(user, ["voip"])],
  ["getToken with tokenExpiresInMinutes", (c) => c.getToken(user, ["voip"], { tokenExpiresInMinutes: 90 })],
  ["revokeTokens", (c) => c.revokeTokens(user)],
  ["deleteUser", (c) => c.deleteUser(user)],
  ["getTokenForTeamsUser", (c) => c.getTokenForTeamsUser(teams)],
];

const previewCalls: Call[] = [
  ["createUser({ customId })", (c) => c.createUser({ customId: "sally" })],
  ["createUserAndToken(scopes, { customId })", (c) => c.createUserAndToken(["chat"], { customId: "sally" })],
  ["getUser", (c) => c.getUser(user)],
  ["getUserDetail", (c) => c.getUserDetail(user)],
];

describe("api-version without the apiVersion option", () => {
  it.each(classicCalls)("%s goes out with the newest stable version, 2026-09-23", async (_name, call) => {
    const { client, sentVersion } = setup();
    await call(client);
    expect(sentVersion()).toBe("2026-09-23");
  });

  it.each(previewCalls)("%s goes out with 2025-03-02-preview, the only version that has it", async (_name, call) => {
    const { client, sentVersion } = setup();
    await call(client);
    expect(sentVersion()).toBe("2025-03-02-preview");
  });

  it("chooses per call: the same client sends stable and preview versions", async () => {
    const { client, httpClient } = setup();
    await client.createUser();
    await client.createUser({ customId: "c" });
    await client.createUser();
    expect(httpClient.requests.map((r) => versionOf(r.url))).toEqual(["2026-09-23", "2025-03-02-preview", "2026-09-23"]);
  });
});

describe("api-version with the apiVersion option", () => {
  it.each(Object.values(KnownApiVersion))("sends createUser() with %s", async (apiVersion) => {
    const { client, sentVersion } = setup(apiVersion);
    await client.createUser();
    expect(sentVersion()).toBe(apiVersion);
  });

  it.each([
    ["getTokenForTeamsUser on 2021-03-07", "2021-03-07", (c: CommunicationIdentityClient) => c.getTokenForTeamsUser(teams), ["getTokenForTeamsUser", "2022-06-01", "2026-09-23"]],
    ["tokenExpiresInMinutes on 2022-06-01 (getToken)", "2022-06-01", (c: CommunicationIdentityClient) => c.getToken(user, ["chat"], { tokenExpiresInMinutes: 60 }), ["getToken with tokenExpiresInMinutes", "2022-10-01"]],
    ["tokenExpiresInMinutes on 2021-03-07 (createUserAndToken)", "2021-03-07", (c: CommunicationIdentityClient) => c.createUserAndToken(["chat"], { tokenExpiresInMinutes: 60 }), ["tokenExpiresInMinutes", "2022-10-01"]],
    ["getUser on 2026-09-23", "2026-09-23", (c: CommunicationIdentityClient) => c.getUser(user), ["getUser", "2025-03-02-preview"]],
    ["customId on 2025-06-30", "2025-06-30", (c: CommunicationIdentityClient) => c.createUser({ customId: "x" }), ["createUser with customId", "2025-03-02-preview"]],
  ] as const)("%s rejects before any request, naming the versions that have it", async (_name, apiVersion, call, texts) => {
    const { client, httpClient } = setup(apiVersion);
    const error = (await call(client).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    for (const text of [...texts, `this client uses ${apiVersion}`]) expect(error.message).toContain(text);
    expect(httpClient.requests).toHaveLength(0);
  });

  it("names only the versions that have everything the call sends", async () => {
    const { client } = setup("2021-03-07");
    const error = (await client.getToken(user, ["chat"], { tokenExpiresInMinutes: 60 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("2022-10-01, 2023-10-01, 2025-03-02-preview, 2025-06-30, 2026-09-23");
    expect(error.message).not.toContain("2022-06-01,");
  });

  it("sends tokenExpiresInMinutes from 2022-10-01 on", async () => {
    const { client, httpClient, sentVersion } = setup("2022-10-01");
    await client.getToken(user, ["chat"], { tokenExpiresInMinutes: 60 });
    expect(sentVersion()).toBe("2022-10-01");
    expect(httpClient.requests[0].body).toBe('{"scopes":["chat"],"expiresInMinutes":60}');
  });

  it("sends a version the package does not know as is, with the newest shapes", async () => {
    const { client, httpClient } = setup("2099-01-01-preview");
    await client.getUser(user);
    await client.createUserAndToken(["chat"], { customId: "c", tokenExpiresInMinutes: 60 });
    expect(httpClient.requests.map((r) => versionOf(r.url))).toEqual(["2099-01-01-preview", "2099-01-01-preview"]);
    expect(httpClient.requests[1].body).toBe('{"createTokenWithScopes":["chat"],"expiresInMinutes":60,"customId":"c"}');
  });
});
