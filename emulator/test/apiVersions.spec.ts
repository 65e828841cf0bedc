import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiVersions } from "../src/generated/routeTable.js";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { signedRequest } from "../../test/helpers/emulatorSigner.js";
import { printedResource, startCli } from "./helpers/cliProcess.js";

const DAY_MS = 24 * 60 * 60_000;
const APP_ID = "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac";
const USER_OID = "32c0a5db-05ec-78ea-51ab-3f06b329397e";

let strict: IdentityEmulator;
let loose: IdentityEmulator;
beforeAll(async () => {
  [strict, loose] = await Promise.all([startIdentityEmulator({ port: 0 }), startIdentityEmulator({ port: 0, loose: true })]);
});
afterAll(() => Promise.all([strict.close(), loose.close()]));

const call = (method: string, path: string, body?: unknown, emulator = strict) => signedRequest(emulator, method, path, { body });
const lifetimeOf = (expiresOn: string) => Date.parse(expiresOn) - Date.now();

async function newUser(version: string): Promise<string> {
  const res = await call("POST", `/identities?api-version=${version}`);
  expect(res.status).toBe(201);
  return res.json.identity.id;
}

describe("every api-version of the spec", () => {
  it.each(apiVersions)("%s creates users, issues, revokes and deletes", async (version) => {
    const id = await newUser(version);
    const path = `/identities/${encodeURIComponent(id)}`;
    expect((await call("POST", `${path}/:issueAccessToken?api-version=${version}`, { scopes: ["chat"] })).status).toBe(200);
    expect((await call("POST", `${path}/:revokeAccessTokens?api-version=${version}`)).status).toBe(204);
    expect((await call("DELETE", `${path}?api-version=${version}`)).status).toBe(204);
  });

  it("lists every version in the api-supported-versions header", async () => {
    const res = await call("POST", "/identities?api-version=2021-03-07");
    expect(res.headers["api-supported-versions"]).toBe(apiVersions.join(", "));
  });
});

describe("an operation a version lacks", () => {
  it("answers the Teams exchange on 2021-03-07 with 400 UnsupportedApiVersion, listing the versions that have it", async () => {
    const res = await call("POST", "/teamsUser/:exchangeAccessToken?api-version=2021-03-07", { token: "t", appId: APP_ID, userId: USER_OID });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("UnsupportedApiVersion");
    expect(res.headers["api-supported-versions"]).toBe("2022-06-01, 2022-10-01, 2023-10-01, 2025-03-02-preview, 2025-06-30, 2026-09-23");
  });

  it("serves the Teams exchange from 2022-06-01 on", async () => {
    const teamsUserAadToken = strict.createTeamsUserAadToken({ appId: APP_ID, userObjectId: USER_OID, expiresOn: new Date(Date.now() + 30 * 60_000) });
    const res = await call("POST", "/teamsUser/:exchangeAccessToken?api-version=2022-06-01", { token: teamsUserAadToken, appId: APP_ID, userId: USER_OID });
    expect(res.status).toBe(200);
  });

  it.each(["2023-10-01", "2025-06-30", "2026-09-23"])("answers GET /identities/{id} on %s with 400 UnsupportedApiVersion naming the preview", async (version) => {
    const id = await newUser("2025-03-02-preview");
    const res = await call("GET", `/identities/${encodeURIComponent(id)}?api-version=${version}`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("UnsupportedApiVersion");
    expect(res.headers["api-supported-versions"]).toBe("2025-03-02-preview");
  });

  it("answers the Entra assignments on a stable version with 400 UnsupportedApiVersion", async () => {
    const res = await call("GET", "/access/entra/assignments?api-version=2026-09-23");
    expect(res.status).toBe(400);
    expect(res.headers["api-supported-versions"]).toBe("2025-03-02-preview");
  });
});

describe("expiresInMinutes", () => {
  it.each(["2021-03-07", "2022-06-01"])("is ignored on %s (the spec has no such property): the default 24 h token", async (version) => {
    const id = await newUser(version);
    const issued = await call("POST", `/identities/${encodeURIComponent(id)}/:issueAccessToken?api-version=${version}`, { scopes: ["chat"], expiresInMinutes: 60 });
    expect(issued.status).toBe(200);
    expect(lifetimeOf(issued.json.expiresOn)).toBeGreaterThan(DAY_MS - 60_000);
    // Not even validated: the service does not read it.
    const created = await call("POST", `/identities?api-version=${version}`, { createTokenWithScopes: ["chat"], expiresInMinutes: 59 });
    expect(created.status).toBe(201);
    expect(lifetimeOf(created.json.accessToken.expiresOn)).toBeGreaterThan(DAY_MS - 60_000);
  });

  it("is honoured and validated from 2022-10-01 on", async () => {
    const created = await call("POST", "/identities?api-version=2022-10-01", { createTokenWithScopes: ["chat"], expiresInMinutes: 60 });
    expect(lifetimeOf(created.json.accessToken.expiresOn)).toBeLessThanOrEqual(60 * 60_000);
    const refused = await call("POST", "/identities?api-version=2022-10-01", { createTokenWithScopes: ["chat"], expiresInMinutes: 59 });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe("ValidationError");
  });
});

describe("customId", () => {
  it("is served only in 2025-03-02-preview, and read back only there", async () => {
    const created = await call("POST", "/identities?api-version=2025-03-02-preview", { customId: "alice" });
    expect(created.json.identity).toMatchObject({ customId: "alice" });
    const refused = await call("POST", "/identities?api-version=2026-09-23", { customId: "alice" });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain("2025-03-02-preview");
  });

  it("is left out of a stable version's identity", async () => {
    const created = await call("POST", "/identities?api-version=2025-03-02-preview", { customId: "bob", createTokenWithScopes: ["chat"] });
    expect(created.json.identity).toHaveProperty("lastTokenIssuedAt");
    const again = await call("POST", "/identities?api-version=2026-09-23");
    expect(Object.keys(again.json.identity)).toEqual(["id"]);
  });
});

describe("an api-version the emulator does not know", () => {
  it("gets 400 UnsupportedApiVersion with api-supported-versions", async () => {
    const res = await call("POST", "/identities?api-version=2099-01-01");
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("UnsupportedApiVersion");
    expect(res.json.error.message).toContain("2099-01-01");
    expect(res.headers["api-supported-versions"]).toBe(apiVersions.join(", "));
  });

  it("is served as the newest version with loose: true", async () => {
    const created = await call("POST", "/identities?api-version=2099-01-01", { createTokenWithScopes: ["chat"], expiresInMinutes: 60 }, loose);
    expect(created.status).toBe(201);
    expect(lifetimeOf(created.json.accessToken.expiresOn)).toBeLessThanOrEqual(60 * 60_000);
    // The newest (2026-09-23) has no GET /identities/{id}.
    const read = await call("GET", `/identities/${encodeURIComponent(created.json.identity.id)}?api-version=2099-01-01`, undefined, loose);
    expect(read.status).toBe(400);
    expect(read.json.error.message).toContain("2099-01-01");
  });

  it("is served by the CLI with --loose", async () => {
    const cli = startCli(["--port", "0", "--loose", "--quiet"]);
    try {
      const resource = await printedResource(cli);
      const res = await signedRequest(resource, "POST", "/identities?api-version=2099-01-01");
      expect(res.status).toBe(201);
    } finally {
      await cli.stop();
    }
  }, 30_000);
});
