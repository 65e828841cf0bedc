import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { rawRequest, signedRequest, verifyToken } from "../../test/helpers/emulatorSigner.js";

const TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd";
const OBJECT = "b27b64b9-39d2-44a3-869d-67700b74e805";
const APP = "07474a86-625a-452f-977b-db4e13f21260";
const OTHER = "350adb03-7be9-4846-b078-35adb0d0e119";
const GROUP = "d7233e76-d261-46c6-94b3-39073103ae81";
const PREVIEW = "api-version=2025-03-02-preview";
const TEAMS_VERSIONS = ["2025-03-02-preview", "2025-06-30", "2026-09-23"];
const TEAMS_SCOPE = "https://auth.msft.communication.azure.com/TeamsExtension.ManageCalls";
const ENTRA_SCOPE = "https://communication.azure.com/clients/VoIP";
const SERVICE_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/;

let emulator: IdentityEmulator;
beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
});
afterAll(() => emulator.close());

const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => signedRequest(emulator, method, path, { body, headers });
const teamsPath = (version: string, tenant = TENANT, object = OBJECT) => `/access/teamsExtension/tenants/${tenant}/assignments/${object}?api-version=${version}`;
const entraPath = (object?: string) => `/access/entra/assignments${object ? `/${object}` : ""}?${PREVIEW}`;

function exchange(route: "teamsExtension" | "entra", token: string | undefined, version = route === "entra" ? "2025-03-02-preview" : "2025-06-30", base = emulator.endpoint) {
  return rawRequest(`${base}${base.endsWith("/") ? "" : "/"}access/${route}/:exchangeAccessToken?api-version=${version}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: "{}",
  });
}

describe("Teams Phone extensibility assignments", () => {
  it.each(TEAMS_VERSIONS)("PUT answers 201 when created and 200 when replaced, GET reads it, DELETE 204 then GET 404 (%s)", async (version) => {
    const object = crypto.randomUUID();
    const created = await call("PUT", teamsPath(version, TENANT, object), { principalType: "resourceAccount" });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ objectId: object, tenantId: TENANT, principalType: "resourceAccount" });
    const replaced = await call("PUT", teamsPath(version, TENANT, object), { principalType: "user", clientIds: [APP] });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toEqual({ objectId: object, tenantId: TENANT, principalType: "user", clientIds: [APP] });
    const read = await call("GET", teamsPath(version, TENANT, object));
    expect(read.status).toBe(200);
    expect(read.json).toEqual(replaced.json);
    expect((await call("DELETE", teamsPath(version, TENANT, object))).status).toBe(204);
    const gone = await call("GET", teamsPath(version, TENANT, object));
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe("AssignmentNotFound");
  });

  it("refuses api-version 2023-10-01, which has no access routes", async () => {
    const res = await call("GET", teamsPath("2023-10-01"));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("UnsupportedApiVersion");
    expect(res.headers["api-supported-versions"]).toBe(TEAMS_VERSIONS.join(", "));
  });

  it("answers validation errors in the service's envelope with target", async () => {
    const missing = await call("PUT", teamsPath("2026-09-23"), {});
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: "ValidationError", target: "principalType" });
    const wrong = await call("PUT", teamsPath("2026-09-23"), { principalType: "group" });
    expect(wrong.json.error).toMatchObject({ code: "ValidationError", target: "principalType" });
    const clients = await call("PUT", teamsPath("2026-09-23"), { principalType: "user", clientIds: ["nope"] });
    expect(clients.json.error).toMatchObject({ code: "ValidationError", target: "clientIds[0]" });
    const tenant = await call("GET", teamsPath("2026-09-23", "not-a-guid"));
    expect(tenant.json.error).toMatchObject({ code: "ValidationError", target: "tenantId" });
  });

  it("needs the resource's HMAC signature or a management bearer token", async () => {
    const unsigned = await rawRequest(new URL(teamsPath("2026-09-23"), emulator.endpoint).toString());
    expect(unsigned.status).toBe(401);
    const entraUserToken = emulator.createEntraToken({ tenantId: TENANT, objectId: OBJECT, appId: APP, scopes: [ENTRA_SCOPE] });
    const wrongBearer = await rawRequest(new URL(teamsPath("2026-09-23"), emulator.endpoint).toString(), { headers: { authorization: `Bearer ${entraUserToken}` } });
    expect(wrongBearer.status).toBe(401);
  });
});

describe("Entra ID assignments", () => {
  it("PUT 201/200, GET, DELETE 204, GET 404", async () => {
    const object = crypto.randomUUID();
    const created = await call("PUT", entraPath(object), { tenantId: TENANT, principalType: "user", clientIds: [APP] });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ objectId: object, tenantId: TENANT, principalType: "user", clientIds: [APP] });
    expect((await call("PUT", entraPath(object), { tenantId: TENANT, principalType: "group", clientIds: [APP] })).status).toBe(200);
    expect((await call("GET", entraPath(object))).json.principalType).toBe("group");
    expect((await call("DELETE", entraPath(object))).status).toBe(204);
    expect((await call("GET", entraPath(object))).status).toBe(404);
  });

  it("exists only in 2025-03-02-preview", async () => {
    for (const version of ["2023-10-01", "2025-06-30", "2026-09-23"]) {
      const res = await call("GET", `/access/entra/assignments?api-version=${version}`);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("UnsupportedApiVersion");
    }
  });

  it("names the field of a missing tenantId, principalType or clientIds", async () => {
    for (const [body, target] of [
      [{ principalType: "user", clientIds: [APP] }, "tenantId"],
      [{ tenantId: TENANT, clientIds: [APP] }, "principalType"],
      [{ tenantId: TENANT, principalType: "user" }, "clientIds"],
    ] as const) {
      const res = await call("PUT", entraPath(OTHER), body);
      expect(res.status).toBe(400);
      expect(res.json.error.target).toBe(target);
    }
  });

  it("PATCH merges, creates and removes (null) in one request and answers 200 with what it set", async () => {
    const a = crypto.randomUUID();
    const b = crypto.randomUUID();
    await call("PUT", entraPath(a), { tenantId: TENANT, principalType: "user", clientIds: [APP] });
    const res = await call("PATCH", entraPath(), { [a]: null, [b]: { tenantId: TENANT, principalType: "tenant", clientIds: [APP] } }, { "content-type": "application/merge-patch+json" });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ value: [{ objectId: b, tenantId: TENANT, principalType: "tenant", clientIds: [APP] }] });
    expect((await call("GET", entraPath(a))).status).toBe(404);
    const merged = await call("PATCH", entraPath(), { [b]: { clientIds: [OTHER] } }, { "content-type": "application/merge-patch+json" });
    expect(merged.json.value[0]).toEqual({ objectId: b, tenantId: TENANT, principalType: "tenant", clientIds: [OTHER] });
  });

  it("PATCH changes nothing when one member is invalid", async () => {
    const a = crypto.randomUUID();
    const res = await call("PATCH", entraPath(), { [a]: { tenantId: TENANT, principalType: "user", clientIds: [APP] }, [OTHER]: { principalType: "user" } });
    expect(res.status).toBe(400);
    expect(res.json.error.target).toBe(`${OTHER}.tenantId`);
    expect((await call("GET", entraPath(a))).status).toBe(404);
  });

  it("lists in pages of 50 with an absolute nextLink", async () => {
    const emulatorForList = await startIdentityEmulator({ port: 0 });
    try {
      const patch = Object.fromEntries(Array.from({ length: 60 }, () => [crypto.randomUUID(), { tenantId: TENANT, principalType: "user", clientIds: [APP] }]));
      expect((await signedRequest(emulatorForList, "PATCH", entraPath(), { body: patch })).status).toBe(200);
      const first = await signedRequest(emulatorForList, "GET", entraPath());
      expect(first.json.value).toHaveLength(50);
      expect(first.json.nextLink).toMatch(new RegExp(`^${emulatorForList.endpoint.replace(/\/$/, "")}/access/entra/assignments\\?`));
      const second = await signedRequest(emulatorForList, "GET", first.json.nextLink);
      expect(second.json.value).toHaveLength(10);
      expect(second.json).not.toHaveProperty("nextLink");
      const ids = [...first.json.value, ...second.json.value].map((assignment: { objectId: string }) => assignment.objectId);
      expect(new Set(ids)).toEqual(new Set(Object.keys(patch)));
    } finally {
      await emulatorForList.close();
    }
  });
});

describe("POST /access/teamsExtension/:exchangeAccessToken", () => {
  it("answers 200 with 8:acs:<resource>_<tenant>_<object> and a token expiring with the Entra token, once assigned", async () => {
    const object = crypto.randomUUID();
    const token = emulator.createEntraToken({ tenantId: TENANT, objectId: object, appId: APP, scopes: [TEAMS_SCOPE], expiresInMinutes: 90 });
    const refused = await exchange("teamsExtension", token);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("AccessNotAssigned");
    expect(refused.text).not.toContain(token);

    await call("PUT", teamsPath("2026-09-23", TENANT, object), { principalType: "user", clientIds: [APP] });
    const res = await exchange("teamsExtension", token);
    expect(res.status).toBe(200);
    expect(res.json.identity.id).toBe(`8:acs:${emulator.resourceId}_${TENANT}_${object}`);
    expect(res.json.accessToken.expiresOn).toMatch(SERVICE_DATE);
    const exp = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).exp as number;
    expect(Date.parse(res.json.accessToken.expiresOn)).toBe(exp * 1000);
    expect(await verifyToken(emulator, res.json.accessToken.token)).toMatchObject({ valid: true, identity: res.json.identity.id });
  });

  it("refuses an app the assignment does not list with 403", async () => {
    const object = crypto.randomUUID();
    await call("PUT", teamsPath("2026-09-23", TENANT, object), { principalType: "user", clientIds: [OTHER] });
    const token = emulator.createEntraToken({ tenantId: TENANT, objectId: object, appId: APP, scopes: [TEAMS_SCOPE] });
    expect((await exchange("teamsExtension", token)).status).toBe(403);
  });

  it("answers 401 InvalidAccessToken for an expired token, a foreign one, one for the Entra route, and none", async () => {
    await call("PUT", teamsPath("2026-09-23"), { principalType: "user" });
    const expired = emulator.createEntraToken({ tenantId: TENANT, objectId: OBJECT, appId: APP, scopes: [TEAMS_SCOPE], expiresInMinutes: 0 });
    const other = await startIdentityEmulator({ port: 0 });
    const foreign = other.createEntraToken({ tenantId: TENANT, objectId: OBJECT, appId: APP, scopes: [TEAMS_SCOPE] });
    await other.close();
    const entraAudience = emulator.createEntraToken({ tenantId: TENANT, objectId: OBJECT, appId: APP, scopes: [ENTRA_SCOPE] });
    for (const token of [expired, foreign, entraAudience, undefined]) {
      const res = await exchange("teamsExtension", token);
      expect(res.status).toBe(401);
      expect(res.json.error).toMatchObject({ code: "InvalidAccessToken", message: "Provided access token is not valid." });
    }
  });

  it("accepts the //access path an endpoint ending in / yields", async () => {
    await call("PUT", teamsPath("2026-09-23"), { principalType: "user" });
    const token = emulator.createEntraToken({ tenantId: TENANT, objectId: OBJECT, appId: APP, scopes: [TEAMS_SCOPE] });
    const res = await rawRequest(`${emulator.endpoint}/access/teamsExtension/:exchangeAccessToken?api-version=2025-06-30`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(emulator.endpoint.endsWith("/")).toBe(true);
    expect(res.status).toBe(200);
  });
});

describe("POST /access/entra/:exchangeAccessToken", () => {
  it("answers 200 with 8:acs:<resource>_wf_<tenant>_<object> for a user assignment", async () => {
    const object = crypto.randomUUID();
    const token = emulator.createEntraToken({ tenantId: TENANT, objectId: object, appId: APP, scopes: [ENTRA_SCOPE] });
    expect((await exchange("entra", token)).status).toBe(403);
    await call("PUT", entraPath(object), { tenantId: TENANT, principalType: "user", clientIds: [APP] });
    const res = await exchange("entra", token);
    expect(res.status).toBe(200);
    expect(res.json.identity.id).toBe(`8:acs:${emulator.resourceId}_wf_${TENANT}_${object}`);
  });

  it("accepts a group the token names, or the tenant, and not another tenant's assignment", async () => {
    const user = crypto.randomUUID();
    const group = crypto.randomUUID();
    const tenant = crypto.randomUUID();
    const withGroup = emulator.createEntraToken({ tenantId: tenant, objectId: user, appId: APP, scopes: [ENTRA_SCOPE], groups: [group] });
    expect((await exchange("entra", withGroup)).status).toBe(403);
    await call("PUT", entraPath(group), { tenantId: TENANT, principalType: "group", clientIds: [APP] });
    expect((await exchange("entra", withGroup)).status).toBe(403); // the group is assigned for another tenant
    await call("PUT", entraPath(group), { tenantId: tenant, principalType: "group", clientIds: [APP] });
    expect((await exchange("entra", withGroup)).status).toBe(200);
    await call("DELETE", entraPath(group));
    await call("PUT", entraPath(tenant), { tenantId: tenant, principalType: "tenant", clientIds: [APP] });
    expect((await exchange("entra", withGroup)).status).toBe(200);
  });

  it("exists only in 2025-03-02-preview", async () => {
    const token = emulator.createEntraToken({ tenantId: TENANT, objectId: GROUP, appId: APP, scopes: [ENTRA_SCOPE] });
    const res = await exchange("entra", token, "2026-09-23");
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("UnsupportedApiVersion");
  });
});

describe("management bearer tokens from createEntraToken", () => {
  it("are accepted on the assignment routes for scope https://communication.azure.com//.default", async () => {
    const token = emulator.createEntraToken({ tenantId: TENANT, objectId: OBJECT, appId: APP, scopes: ["https://communication.azure.com//.default"] });
    const res = await rawRequest(new URL(entraPath(), emulator.endpoint).toString(), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });
});

describe("durability", () => {
  it("keeps assignments across a restart with location", async () => {
    const location = await mkdtemp(join(tmpdir(), "access-durable-"));
    try {
      const first = await startIdentityEmulator({ port: 0, location });
      const object = crypto.randomUUID();
      await signedRequest(first, "PUT", teamsPath("2026-09-23", TENANT, object), { body: { principalType: "resourceAccount", clientIds: [APP] } });
      await signedRequest(first, "PUT", entraPath(object), { body: { tenantId: TENANT, principalType: "user", clientIds: [APP] } });
      await signedRequest(first, "PUT", entraPath(OTHER), { body: { tenantId: TENANT, principalType: "user", clientIds: [APP] } });
      await signedRequest(first, "DELETE", entraPath(OTHER));
      await first.close();
      const second = await startIdentityEmulator({ port: 0, location });
      try {
        expect((await signedRequest(second, "GET", teamsPath("2026-09-23", TENANT, object))).json).toEqual({
          objectId: object,
          tenantId: TENANT,
          principalType: "resourceAccount",
          clientIds: [APP],
        });
        expect((await signedRequest(second, "GET", entraPath(object))).status).toBe(200);
        expect((await signedRequest(second, "GET", entraPath(OTHER))).status).toBe(404);
      } finally {
        await second.close();
      }
    } finally {
      await rm(location, { recursive: true, force: true });
    }
  });
});
