import { CommunicationIdentityClient } from "@azure/communication-identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { verifyToken } from "../../test/helpers/emulatorSigner.js";

// The published @azure/communication-identity@1.3.1 (api-version 2023-10-01) is the oracle for the wire.
describe("official @azure/communication-identity client against the emulator", () => {
  let emulator: IdentityEmulator;
  let client: CommunicationIdentityClient;
  beforeAll(async () => {
    emulator = await startIdentityEmulator({ port: 0 });
    client = new CommunicationIdentityClient(emulator.connectionString, { allowInsecureConnection: true });
  });
  afterAll(() => emulator.close());

  it("runs createUser, createUserAndToken, getToken, revokeTokens, deleteUser", async () => {
    const user = await client.createUser();
    expect(user.communicationUserId).toMatch(new RegExp(`^8:acs:${emulator.resourceId}_`));

    const created = await client.createUserAndToken(["chat", "voip"]);
    expect(created.user.communicationUserId).toMatch(/^8:acs:/);
    expect(created.expiresOn).toBeInstanceOf(Date);
    expect(await verifyToken(emulator, created.token)).toMatchObject({ valid: true, identity: created.user.communicationUserId, scopes: ["chat", "voip"] });

    const token = await client.getToken(user, ["chat"], { tokenExpiresInMinutes: 60 });
    const lifetime = token.expiresOn.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(59 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(60 * 60_000);

    await client.revokeTokens(user);
    expect(await verifyToken(emulator, token.token)).toMatchObject({ valid: false, reason: "revoked" });

    await client.deleteUser(created.user);
    expect(await verifyToken(emulator, created.token)).toMatchObject({ valid: false, reason: "identity-deleted" });
    await expect(client.getToken(created.user, ["chat"])).rejects.toMatchObject({ statusCode: 404, code: "IdentityNotFound" });
  });

  it("runs getTokenForTeamsUser with an emulator-made Entra token", async () => {
    const clientId = "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac";
    const userObjectId = "32c0a5db-05ec-78ea-51ab-3f06b329397e";
    const expiresOn = new Date(Math.floor(Date.now() / 1000) * 1000 + 45 * 60_000);
    const teamsUserAadToken = emulator.createTeamsUserAadToken({ appId: clientId, userObjectId, expiresOn });
    const result = await client.getTokenForTeamsUser({ teamsUserAadToken, clientId, userObjectId });
    expect(result.expiresOn.getTime()).toBe(expiresOn.getTime());
    expect(await verifyToken(emulator, result.token)).toMatchObject({ valid: true, identity: `8:orgid:${userObjectId}` });
  });

  it("surfaces the service's errors as RestError with code and message", async () => {
    const user = await client.createUser();
    await expect(client.getToken(user, [])).rejects.toMatchObject({
      statusCode: 400,
      code: "ValidationError",
      message: "Invalid scopes - Scopes field is required.",
    });
    await expect(client.getToken(user, ["chat"], { tokenExpiresInMinutes: 59 })).rejects.toMatchObject({
      statusCode: 400,
      message: "ExpiresInMinutes value 59 is invalid. Value must be within the [60, 1440] interval.",
    });
    await expect(client.revokeTokens({ communicationUserId: "8:acs:11111111-2222-3333-4444-555555555555_x" })).rejects.toMatchObject({
      statusCode: 401,
      code: "IdentityNotOwned",
    });
    await expect(
      client.getTokenForTeamsUser({ teamsUserAadToken: "bogus", clientId: "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac", userObjectId: "32c0a5db-05ec-78ea-51ab-3f06b329397e" }),
    ).rejects.toMatchObject({ statusCode: 401, code: "InvalidAccessToken" });
  });

  it("retries an injected 503 with Retry-After and succeeds", async () => {
    emulator.injectFaults([{ match: { method: "POST", path: "/identities" }, times: 1, fault: { status: 503, retryAfterSeconds: 0 } }]);
    const user = await client.createUser();
    expect(user.communicationUserId).toMatch(/^8:acs:/);
  });

  it("authenticates with tokenCredential() over HTTPS", async () => {
    const secure = await startIdentityEmulator({ port: 0, https: true });
    try {
      const bearerClient = new CommunicationIdentityClient(secure.endpoint, secure.tokenCredential(), secure.clientOptions());
      const { user, token } = await bearerClient.createUserAndToken(["voip"]);
      expect(user.communicationUserId).toMatch(new RegExp(`^8:acs:${secure.resourceId}_`));
      expect(token.split(".")).toHaveLength(3);
      await bearerClient.deleteUser(user);
    } finally {
      await secure.close();
    }
  });
});
