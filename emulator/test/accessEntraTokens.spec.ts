import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyBearer } from "../src/bearerVerifier.js";
import { entraTokenPurpose, mintEntraToken, verifyEntraToken } from "../src/entraTokens.js";
import { startIdentityEmulator } from "../src/index.js";

const secrets = { bearer: randomBytes(32), entra: randomBytes(32) };
const principal = { tenantId: "c70d068c-2f32-484d-9455-73070cd5aadd", objectId: "b27b64b9-39d2-44a3-869d-67700b74e805", appId: "07474a86-625a-452f-977b-db4e13f21260" };
const NOW = new Date("2026-01-01T00:00:00Z");
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;

describe("entraTokenPurpose", () => {
  it.each([
    [["https://communication.azure.com//.default"], "management"],
    [["https://communication.azure.com/.default"], "management"],
    [["https://auth.msft.communication.azure.com/TeamsExtension.ManageCalls"], "teamsExtension"],
    [["https://auth.msft.communication.azure.us/TeamsExtension.ManageCalls"], "teamsExtension"],
    [["https://communication.azure.com/clients/VoIP", "https://communication.azure.com/clients/Chat"], "entra"],
  ])("%j is for %s", (scopes, purpose) => {
    expect(entraTokenPurpose(scopes)).toBe(purpose);
  });

  it("has none for mixed resources, unknown scopes or no scopes", () => {
    expect(entraTokenPurpose(["https://communication.azure.com/clients/VoIP", "https://auth.msft.communication.azure.com/x"])).toHaveProperty("problem");
    expect(entraTokenPurpose(["https://graph.microsoft.com/.default"])).toHaveProperty("problem");
    expect(entraTokenPurpose([])).toHaveProperty("problem");
  });
});

describe("mintEntraToken", () => {
  it("carries tid, oid, appid, the scopes, groups and exp expiresInMinutes after now", () => {
    const { token, expiresOnTimestamp, purpose } = mintEntraToken({ ...principal, scopes: ["https://communication.azure.com/clients/VoIP"], expiresInMinutes: 30, groups: ["g1"] }, secrets, NOW);
    expect(purpose).toBe("entra");
    expect(expiresOnTimestamp).toBe(NOW.getTime() + 30 * 60_000);
    expect(claimsOf(token)).toMatchObject({ tid: principal.tenantId, oid: principal.objectId, appid: principal.appId, scp: "https://communication.azure.com/clients/VoIP", groups: ["g1"] });
  });

  it("throws a TypeError naming the option that is wrong", () => {
    expect(() => mintEntraToken({ ...principal, tenantId: "", scopes: ["https://communication.azure.com/clients/VoIP"] }, secrets, NOW)).toThrow(/options.tenantId/);
    expect(() => mintEntraToken({ ...principal, scopes: ["nope"] }, secrets, NOW)).toThrow(/options.scopes/);
    expect(() => mintEntraToken({ ...principal, scopes: ["https://communication.azure.com/clients/VoIP"], expiresInMinutes: Number.NaN }, secrets, NOW)).toThrow(/options.expiresInMinutes/);
  });

  it("signs management tokens so that the identity API's bearer check accepts them, and exchange tokens so that it does not", () => {
    const management = mintEntraToken({ ...principal, scopes: ["https://communication.azure.com//.default"] }, secrets, NOW).token;
    expect(() => verifyBearer(`Bearer ${management}`, secrets.bearer, NOW)).not.toThrow();
    const exchange = mintEntraToken({ ...principal, scopes: ["https://communication.azure.com/clients/.default"] }, secrets, NOW).token;
    expect(() => verifyBearer(`Bearer ${exchange}`, secrets.bearer, NOW)).toThrow();
  });
});

describe("verifyEntraToken", () => {
  const teams = mintEntraToken({ ...principal, scopes: ["https://auth.msft.communication.azure.com/TeamsExtension.ManageCalls"] }, secrets, NOW).token;

  it("accepts a token for its route and reads its claims", () => {
    expect(verifyEntraToken(teams, "teamsExtension", secrets, NOW)).toMatchObject({ ok: true, token: { ...principal, groups: [], expiresOn: new Date(NOW.getTime() + 3_600_000) } });
  });

  it("refuses it for the other route, once expired, and when signed by another key", () => {
    expect(verifyEntraToken(teams, "entra", secrets, NOW)).toEqual({ ok: false, reason: "wrong-audience" });
    expect(verifyEntraToken(teams, "teamsExtension", secrets, new Date(NOW.getTime() + 3_600_000))).toEqual({ ok: false, reason: "expired" });
    expect(verifyEntraToken(teams, "teamsExtension", { ...secrets, entra: randomBytes(32) }, NOW)).toEqual({ ok: false, reason: "bad-signature" });
  });
});

describe("emulator.entraTokenCredential", () => {
  it("mints a token for the scopes getToken is asked, a string or an array", async () => {
    const emulator = await startIdentityEmulator({ port: 0, now: () => NOW });
    try {
      const credential = emulator.entraTokenCredential({ ...principal, groups: ["g"] });
      const single = await credential.getToken("https://communication.azure.com/clients/Chat");
      expect(claimsOf(single!.token)).toMatchObject({ scp: "https://communication.azure.com/clients/Chat", groups: ["g"], oid: principal.objectId });
      expect(single!.expiresOnTimestamp).toBe(NOW.getTime() + 3_600_000);
      const teams = await credential.getToken(["https://auth.msft.communication.azure.com/TeamsExtension.ManageCalls"]);
      expect(claimsOf(teams!.token).aud).toBe("https://auth.msft.communication.azure.com");
      expect(() => emulator.entraTokenCredential({ ...principal, appId: "" })).toThrow(/options.appId/);
    } finally {
      await emulator.close();
    }
  });
});
