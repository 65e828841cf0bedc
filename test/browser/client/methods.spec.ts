/** Every client method from a browser page against the emulator (HMAC over http, CORS). */
import { CommunicationIdentityClient, type CommunicationUserIdentifier } from "../../../src/index.js";
import { beforeAll, describe, expect, inject, it } from "vitest";

let client: CommunicationIdentityClient;
beforeAll(() => {
  client = new CommunicationIdentityClient(inject("httpConnectionString"), { allowInsecureConnection: true });
});

function expectAcsUser(user: CommunicationUserIdentifier): void {
  expect(user.communicationUserId.startsWith(`8:acs:${inject("resourceId")}_`)).toBe(true);
}

function minutesFromNow(date: Date): number {
  return (date.getTime() - Date.now()) / 60_000;
}

describe("createUser", () => {
  it("creates a new identity each call", async () => {
    const first = await client.createUser();
    const second = await client.createUser();
    expectAcsUser(first);
    expect(second.communicationUserId).not.toBe(first.communicationUserId);
  });

  it("returns the same identity for the same customId", async () => {
    const customId = `browser-${crypto.randomUUID()}`;
    const first = await client.createUser({ customId });
    expect(await client.createUser({ customId })).toEqual(first);
  });
});

describe("createUserAndToken", () => {
  it("returns a user and a JWT valid for the requested minutes", async () => {
    const result = await client.createUserAndToken(["chat", "voip"], { tokenExpiresInMinutes: 60 });
    expectAcsUser(result.user);
    expect(result.token.split(".")).toHaveLength(3);
    expect(result.expiresOn).toBeInstanceOf(Date);
    expect(minutesFromNow(result.expiresOn)).toBeGreaterThan(58);
    expect(minutesFromNow(result.expiresOn)).toBeLessThanOrEqual(60.1);
  });
});

describe("getToken", () => {
  it("issues a token for an existing user", async () => {
    const user = await client.createUser();
    const token = await client.getToken(user, ["chat"], { tokenExpiresInMinutes: 120 });
    expect(token.token.split(".")).toHaveLength(3);
    expect(minutesFromNow(token.expiresOn)).toBeGreaterThan(118);
  });
});

describe("getUser and getUserDetail", () => {
  it("return customId and lastTokenIssuedAt as a Date", async () => {
    const customId = `detail-${crypto.randomUUID()}`;
    const { user } = await client.createUserAndToken(["chat"], { customId });
    const detail = await client.getUser(user);
    expect(detail.user).toEqual(user);
    expect(detail.customId).toBe(customId);
    expect(detail.lastTokenIssuedAt).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - detail.lastTokenIssuedAt!.getTime())).toBeLessThan(60_000);
    expect(await client.getUserDetail(user)).toEqual(detail);
  });
});

describe("revokeTokens", () => {
  it("resolves to undefined", async () => {
    const { user } = await client.createUserAndToken(["chat"]);
    await expect(client.revokeTokens(user)).resolves.toBeUndefined();
  });
});

describe("deleteUser", () => {
  it("deletes the identity: getUser then answers 404", async () => {
    const user = await client.createUser();
    await expect(client.deleteUser(user)).resolves.toBeUndefined();
    await expect(client.getUser(user)).rejects.toMatchObject({ name: "RestError", statusCode: 404 });
  });
});

describe("getTokenForTeamsUser", () => {
  it("exchanges a Teams user's Entra token; the expiry is the Entra token's", async () => {
    const teams = inject("teams");
    const result = await client.getTokenForTeamsUser({
      teamsUserAadToken: teams.token,
      clientId: teams.appId,
      userObjectId: teams.userObjectId,
    });
    expect(result.token.split(".")).toHaveLength(3);
    expect(result.expiresOn.getTime()).toBe(teams.expiresOnTimestamp);
  });
});

describe("onResponse over CORS", () => {
  it("sees the service's exposed headers, including the echoed client request id", async () => {
    const seen: Array<{ status: number; requestId: string | undefined; echoed: string | undefined; versions: string | undefined }> = [];
    await client.createUser({
      onResponse: (raw) =>
        seen.push({
          status: raw.status,
          requestId: raw.request.headers.get("x-ms-client-request-id"),
          echoed: raw.headers.get("x-ms-client-request-id"),
          versions: raw.headers.get("api-supported-versions"),
        }),
    });
    expect(seen).toHaveLength(1);
    expect(seen[0].status).toBe(201);
    expect(seen[0].echoed).toBe(seen[0].requestId);
    expect(seen[0].versions).toContain("2025-03-02-preview");
  });
});
