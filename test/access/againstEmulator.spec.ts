import { RestError } from "@azure/core-rest-pipeline";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunicationAccessClient } from "../../src/index.js";

const TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd";
const APP = "07474a86-625a-452f-977b-db4e13f21260";

let emulator: IdentityEmulator;
let access: CommunicationAccessClient;
beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0, https: true });
  access = new CommunicationAccessClient(emulator.connectionString, emulator.clientOptions());
});
afterAll(() => emulator.close());

describe("CommunicationAccessClient against the emulator", () => {
  it("creates, replaces, reads and deletes a Teams Phone assignment", async () => {
    const objectId = crypto.randomUUID();
    expect(await access.upsertTeamsExtensionAssignment(TENANT, objectId, { principalType: "resourceAccount" })).toEqual({
      assignment: { objectId, tenantId: TENANT, principalType: "resourceAccount" },
      created: true,
    });
    const replaced = await access.upsertTeamsExtensionAssignment(TENANT, objectId, { principalType: "user", clientIds: [APP] });
    expect(replaced.created).toBe(false);
    expect(await access.getTeamsExtensionAssignment(TENANT, objectId)).toEqual({ objectId, tenantId: TENANT, principalType: "user", clientIds: [APP] });
    await access.deleteTeamsExtensionAssignment(TENANT, objectId);
    const error = await access.getTeamsExtensionAssignment(TENANT, objectId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ statusCode: 404, code: "AssignmentNotFound" });
  });

  it("surfaces the service's validation error with its target", async () => {
    const error = await access.upsertTeamsExtensionAssignment(TENANT, "not-a-guid", { principalType: "user" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "RestError", statusCode: 400, code: "ValidationError", details: { error: { target: "objectId" } } });
  });

  it("bulk-updates Entra assignments and lists them across pages", async () => {
    const ids = Array.from({ length: 55 }, () => crypto.randomUUID());
    const set = await access.updateEntraAssignments(Object.fromEntries(ids.map((id) => [id, { tenantId: TENANT, principalType: "user" as const, clientIds: [APP] }])));
    expect(set).toHaveLength(55);
    const pages = [];
    for await (const page of access.listEntraAssignments().byPage()) pages.push(page.length);
    expect(pages.length).toBeGreaterThan(1);
    const listed = new Set<string>();
    for await (const assignment of access.listEntraAssignments()) listed.add(assignment.objectId);
    expect(ids.every((id) => listed.has(id))).toBe(true);
    await access.updateEntraAssignments(Object.fromEntries(ids.map((id) => [id, null])));
    await expect(access.getEntraAssignment(ids[0])).rejects.toMatchObject({ statusCode: 404 });
  });

  it("works with a bearer token credential (the emulator's, and a management token from createEntraToken)", async () => {
    const objectId = crypto.randomUUID();
    const viaCredential = new CommunicationAccessClient(emulator.endpoint, emulator.tokenCredential(), emulator.clientOptions());
    expect((await viaCredential.upsertEntraAssignment(objectId, { tenantId: TENANT, principalType: "group", clientIds: [APP] })).created).toBe(true);
    const management = emulator.createEntraToken({ tenantId: TENANT, objectId, appId: APP, scopes: ["https://communication.azure.com//.default"] });
    const viaEntra = new CommunicationAccessClient(
      emulator.endpoint,
      { getToken: async () => ({ token: management, expiresOnTimestamp: Date.now() + 3_600_000 }) },
      emulator.clientOptions(),
    );
    expect((await viaEntra.getEntraAssignment(objectId)).principalType).toBe("group");
    await viaEntra.deleteEntraAssignment(objectId);
  });

  it("with apiVersion 2025-06-30 manages Teams Phone assignments and refuses Entra ones before any request", async () => {
    const pinned = new CommunicationAccessClient(emulator.connectionString, { ...emulator.clientOptions(), apiVersion: "2025-06-30" });
    const objectId = crypto.randomUUID();
    expect((await pinned.upsertTeamsExtensionAssignment(TENANT, objectId, { principalType: "user" })).created).toBe(true);
    await pinned.deleteTeamsExtensionAssignment(TENANT, objectId);
    await expect(pinned.getEntraAssignment(objectId)).rejects.toThrow(/2025-03-02-preview/);
  });
});
