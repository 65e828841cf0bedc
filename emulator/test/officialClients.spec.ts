import { CommunicationIdentityClient as Client_1_3 } from "@azure/communication-identity";
import { CommunicationIdentityClient as Client_1_0 } from "official-identity-1-0";
import { CommunicationIdentityClient as Client_1_1 } from "official-identity-1-1";
import { CommunicationIdentityClient as Client_1_2 } from "official-identity-1-2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { verifyToken } from "../../test/helpers/emulatorSigner.js";

// The published clients users still run, each on the api-version it was built for, against the emulator
// with a connection string: every method each one has.

interface UserId {
  communicationUserId: string;
}
/** What every official line has; later lines add to it. */
interface OfficialClient {
  createUser(): Promise<UserId>;
  createUserAndToken(scopes: ("chat" | "voip")[], options?: { tokenExpiresInMinutes?: number }): Promise<{ user: UserId; token: string; expiresOn: Date }>;
  getToken(user: UserId, scopes: ("chat" | "voip")[], options?: { tokenExpiresInMinutes?: number }): Promise<{ token: string; expiresOn: Date }>;
  revokeTokens(user: UserId): Promise<void>;
  deleteUser(user: UserId): Promise<void>;
  getTokenForTeamsUser?(options: { teamsUserAadToken: string; clientId: string; userObjectId: string }): Promise<{ token: string; expiresOn: Date }>;
}

// The lines' typings differ (1.0/1.1 take OperationOptions and lack allowInsecureConnection in their types);
// the calls below use only what each line has at runtime.
const insecure = { allowInsecureConnection: true } as never;
const asOfficial = (client: unknown) => client as OfficialClient;

const lines: Array<{ name: string; apiVersion: string; create: (connectionString: string) => OfficialClient; teams: boolean; expiry: boolean }> = [
  { name: "1.0.0", apiVersion: "2021-03-07", create: (cs) => asOfficial(new Client_1_0(cs, insecure)), teams: false, expiry: false },
  { name: "1.1.0", apiVersion: "2022-06-01", create: (cs) => asOfficial(new Client_1_1(cs, insecure)), teams: true, expiry: false },
  { name: "1.2.0", apiVersion: "2022-10-01", create: (cs) => asOfficial(new Client_1_2(cs, insecure)), teams: true, expiry: true },
  { name: "1.3.1", apiVersion: "2023-10-01", create: (cs) => asOfficial(new Client_1_3(cs, insecure)), teams: true, expiry: true },
];

const DAY_MS = 24 * 60 * 60_000;

describe.each(lines)("official @azure/communication-identity $name ($apiVersion) against the emulator", ({ apiVersion, create, teams, expiry }) => {
  let emulator: IdentityEmulator;
  let client: OfficialClient;
  beforeAll(async () => {
    emulator = await startIdentityEmulator({ port: 0 });
    client = create(emulator.connectionString);
  });
  afterAll(() => emulator.close());

  it("createUser", async () => {
    const user = await client.createUser();
    expect(user.communicationUserId).toMatch(new RegExp(`^8:acs:${emulator.resourceId}_`));
  });

  it("createUserAndToken", async () => {
    const { user, token, expiresOn } = await client.createUserAndToken(["chat", "voip"]);
    expect(await verifyToken(emulator, token)).toMatchObject({ valid: true, identity: user.communicationUserId, scopes: ["chat", "voip"] });
    expect(expiresOn.getTime() - Date.now()).toBeGreaterThan(DAY_MS - 60_000);
  });

  it("getToken", async () => {
    const user = await client.createUser();
    const { token } = await client.getToken(user, ["chat"]);
    expect(await verifyToken(emulator, token)).toMatchObject({ valid: true, identity: user.communicationUserId, scopes: ["chat"] });
  });

  // Only the lines that have the option (1.2.0 on) get this case; older ones have no such method argument.
  if (expiry) it("getToken and createUserAndToken with tokenExpiresInMinutes", async () => {
    const user = await client.createUser();
    const { expiresOn } = await client.getToken(user, ["chat"], { tokenExpiresInMinutes: 60 });
    expect(expiresOn.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    const created = await client.createUserAndToken(["voip"], { tokenExpiresInMinutes: 120 });
    expect(created.expiresOn.getTime() - Date.now()).toBeLessThanOrEqual(120 * 60_000);
  });

  it("revokeTokens", async () => {
    const user = await client.createUser();
    const { token } = await client.getToken(user, ["voip"]);
    await client.revokeTokens(user);
    expect(await verifyToken(emulator, token)).toMatchObject({ valid: false, reason: "revoked" });
  });

  it("deleteUser", async () => {
    const { user, token } = await client.createUserAndToken(["chat"]);
    await client.deleteUser(user);
    expect(await verifyToken(emulator, token)).toMatchObject({ valid: false, reason: "identity-deleted" });
    await expect(client.getToken(user, ["chat"])).rejects.toMatchObject({ statusCode: 404 });
  });

  if (teams) it("getTokenForTeamsUser", async () => {
    const clientId = "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac";
    const userObjectId = "32c0a5db-05ec-78ea-51ab-3f06b329397e";
    const expiresOn = new Date(Math.floor(Date.now() / 1000) * 1000 + 45 * 60_000);
    const teamsUserAadToken = emulator.createTeamsUserAadToken({ appId: clientId, userObjectId, expiresOn });
    const result = await client.getTokenForTeamsUser!({ teamsUserAadToken, clientId, userObjectId });
    expect(result.expiresOn.getTime()).toBe(expiresOn.getTime());
    expect(await verifyToken(emulator, result.token)).toMatchObject({ valid: true, identity: `8:orgid:${userObjectId}` });
  });

  it(`sent api-version ${apiVersion} on every request`, async () => {
    const served = emulator.requests().filter((entry) => !entry.path.startsWith("/_emulator"));
    expect(served.length).toBeGreaterThan(0);
    expect([...new Set(served.map((entry) => entry.apiVersion))]).toEqual([apiVersion]);
  });
});
