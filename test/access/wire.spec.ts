import { AzureKeyCredential } from "@azure/core-auth";
import { RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { CommunicationAccessClient, type CommunicationAccessClientOptions } from "../../src/index.js";
import { ACCESS_KEY, CONNECTION_STRING, createFakeHttpClient, ENDPOINT, type CapturedRequest, type FakeAnswer } from "../client/fakeHttpClient.js";

// From the spec's examples (Identity/stable/2026-09-23, 2025-06-30) and the preview's definitions.
const TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd";
const OBJECT = "b27b64b9-39d2-44a3-869d-67700b74e805";
const USER = "350adb03-7be9-4846-b078-35adb0d0e119";
const REMOVED = "d7233e76-d261-46c6-94b3-39073103ae81";
const ENTRA_TENANT = "3f14cf17-84d5-42c2-8689-a6365c474b4e";
const APP = "07474a86-625a-452f-977b-db4e13f21260";
const TEAMS_ASSIGNMENT = { objectId: OBJECT, tenantId: TENANT, principalType: "resourceAccount" };
const ENTRA_ASSIGNMENT = { objectId: USER, tenantId: ENTRA_TENANT, principalType: "user", clientIds: [APP] };
const TEAMS_PATH = `/access/teamsExtension/tenants/${TENANT}/assignments/${OBJECT}`;
const EMPTY_HASH = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

function setup(answer: (request: CapturedRequest, attempt: number) => FakeAnswer, options: CommunicationAccessClientOptions = {}) {
  const httpClient = createFakeHttpClient(answer);
  const client = new CommunicationAccessClient(CONNECTION_STRING, { ...options, httpClient });
  const last = (): CapturedRequest => httpClient.requests[httpClient.requests.length - 1];
  return { client, httpClient, last };
}

describe("Teams Phone extensibility", () => {
  describe("getTeamsExtensionAssignment", () => {
    it("sends GET /access/teamsExtension/tenants/{tenantId}/assignments/{objectId} with api-version 2026-09-23", async () => {
      const { client, last } = setup(() => ({ status: 200, body: TEAMS_ASSIGNMENT }));
      expect(await client.getTeamsExtensionAssignment(TENANT, OBJECT)).toEqual(TEAMS_ASSIGNMENT);
      expect(last().method).toBe("GET");
      expect(last().url).toBe(`${ENDPOINT}${TEAMS_PATH}?api-version=2026-09-23`);
      expect(last().body).toBeUndefined();
      expect(last().headers["accept"]).toBe("application/json");
      expect(last().headers["content-type"]).toBeUndefined();
      expect(last().headers["x-ms-content-sha256"]).toBe(EMPTY_HASH);
      expect(last().headers["authorization"]).toMatch(/^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=/);
    });

    it("encodes the path segments", async () => {
      const { client, last } = setup(() => ({ status: 200, body: TEAMS_ASSIGNMENT }));
      await client.getTeamsExtensionAssignment("a/b", "c d");
      expect(last().url).toBe(`${ENDPOINT}/access/teamsExtension/tenants/a%2Fb/assignments/c%20d?api-version=2026-09-23`);
    });

    it("rejects with the service's 404 as a RestError", async () => {
      const { client } = setup(() => ({ status: 404, body: { error: { code: "AssignmentNotFound", message: "Provided assignment doesn't exist." } } }));
      const error = await client.getTeamsExtensionAssignment(TENANT, OBJECT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RestError);
      expect(error).toMatchObject({ statusCode: 404, code: "AssignmentNotFound", message: "Provided assignment doesn't exist." });
    });

    it("rejects an answer without principalType as PARSE_ERROR", async () => {
      const { client } = setup(() => ({ status: 200, body: { objectId: OBJECT, tenantId: TENANT } }));
      await expect(client.getTeamsExtensionAssignment(TENANT, OBJECT)).rejects.toMatchObject({ name: "RestError", code: "PARSE_ERROR", statusCode: 200 });
    });
  });

  describe("upsertTeamsExtensionAssignment", () => {
    it("sends PUT with the body of the spec's example and says created on 201", async () => {
      const { client, last } = setup(() => ({ status: 201, body: TEAMS_ASSIGNMENT }));
      const result = await client.upsertTeamsExtensionAssignment(TENANT, OBJECT, { principalType: "resourceAccount" });
      expect(result).toEqual({ assignment: TEAMS_ASSIGNMENT, created: true });
      expect(last().method).toBe("PUT");
      expect(last().url).toBe(`${ENDPOINT}${TEAMS_PATH}?api-version=2026-09-23`);
      expect(last().body).toBe('{"principalType":"resourceAccount"}');
      expect(last().headers["content-type"]).toBe("application/json");
    });

    it("sends clientIds when given and says replaced on 200", async () => {
      const stored = { ...TEAMS_ASSIGNMENT, principalType: "user", clientIds: [APP] };
      const { client, last } = setup(() => ({ status: 200, body: stored }));
      const result = await client.upsertTeamsExtensionAssignment(TENANT, OBJECT, { principalType: "user", clientIds: [APP] });
      expect(result).toEqual({ assignment: stored, created: false });
      expect(last().body).toBe(`{"principalType":"user","clientIds":["${APP}"]}`);
    });

    it("still calls the caller's onResponse", async () => {
      const { client } = setup(() => ({ status: 201, body: TEAMS_ASSIGNMENT }));
      const statuses: number[] = [];
      await client.upsertTeamsExtensionAssignment(TENANT, OBJECT, { principalType: "user" }, { onResponse: (raw) => statuses.push(raw.status) });
      expect(statuses).toEqual([201]);
    });

    it("treats 204 as an error (the operation answers 200 or 201)", async () => {
      const { client } = setup(() => ({ status: 204 }));
      await expect(client.upsertTeamsExtensionAssignment(TENANT, OBJECT, { principalType: "user" })).rejects.toMatchObject({ name: "RestError", statusCode: 204 });
    });
  });

  describe("deleteTeamsExtensionAssignment", () => {
    it("sends DELETE and resolves undefined on 204", async () => {
      const { client, last } = setup(() => ({ status: 204 }));
      expect(await client.deleteTeamsExtensionAssignment(TENANT, OBJECT)).toBeUndefined();
      expect(last().method).toBe("DELETE");
      expect(last().url).toBe(`${ENDPOINT}${TEAMS_PATH}?api-version=2026-09-23`);
      expect(last().body).toBeUndefined();
    });
  });

  it.each(["2025-06-30", "2025-03-02-preview"])("uses a pinned apiVersion %s that has the operations", async (apiVersion) => {
    const { client, last } = setup(() => ({ status: 204 }), { apiVersion });
    await client.deleteTeamsExtensionAssignment(TENANT, OBJECT);
    expect(last().url).toBe(`${ENDPOINT}${TEAMS_PATH}?api-version=${apiVersion}`);
  });

  it("rejects before any request with apiVersion 2023-10-01, naming the versions that have it", async () => {
    const { client, httpClient } = setup(() => ({ status: 204 }), { apiVersion: "2023-10-01" });
    await expect(client.deleteTeamsExtensionAssignment(TENANT, OBJECT)).rejects.toThrow(/2025-03-02-preview.*2025-06-30.*2026-09-23/);
    expect(httpClient.requests).toHaveLength(0);
  });
});

describe("Entra ID access", () => {
  const entraPath = (objectId?: string) => `${ENDPOINT}/access/entra/assignments${objectId ? `/${objectId}` : ""}?api-version=2025-03-02-preview`;

  it("getEntraAssignment sends GET /access/entra/assignments/{objectId} with 2025-03-02-preview", async () => {
    const { client, last } = setup(() => ({ status: 200, body: ENTRA_ASSIGNMENT }));
    expect(await client.getEntraAssignment(USER)).toEqual(ENTRA_ASSIGNMENT);
    expect(last().method).toBe("GET");
    expect(last().url).toBe(entraPath(USER));
  });

  it("upsertEntraAssignment sends PUT with tenantId, principalType, clientIds in the spec's order", async () => {
    const { client, last } = setup(() => ({ status: 201, body: ENTRA_ASSIGNMENT }));
    const result = await client.upsertEntraAssignment(USER, { clientIds: [APP], principalType: "user", tenantId: ENTRA_TENANT });
    expect(result).toEqual({ assignment: ENTRA_ASSIGNMENT, created: true });
    expect(last().method).toBe("PUT");
    expect(last().url).toBe(entraPath(USER));
    expect(last().body).toBe(`{"tenantId":"${ENTRA_TENANT}","principalType":"user","clientIds":["${APP}"]}`);
    expect(last().headers["content-type"]).toBe("application/json");
  });

  it("deleteEntraAssignment sends DELETE and resolves on 204", async () => {
    const { client, last } = setup(() => ({ status: 204 }));
    await client.deleteEntraAssignment(USER);
    expect(last().method).toBe("DELETE");
    expect(last().url).toBe(entraPath(USER));
  });

  describe("updateEntraAssignments", () => {
    it("sends the spec's example as a merge patch (Content-Type application/merge-patch+json), null removing", async () => {
      const { client, last } = setup(() => ({ status: 200, body: { value: [ENTRA_ASSIGNMENT] } }));
      const result = await client.updateEntraAssignments({
        [USER]: { principalType: "user", tenantId: ENTRA_TENANT, clientIds: [APP] },
        [REMOVED]: null,
      });
      expect(result).toEqual([ENTRA_ASSIGNMENT]);
      expect(last().method).toBe("PATCH");
      expect(last().url).toBe(entraPath());
      expect(last().headers["content-type"]).toBe("application/merge-patch+json");
      expect(last().body).toBe(`{"${USER}":{"tenantId":"${ENTRA_TENANT}","principalType":"user","clientIds":["${APP}"]},"${REMOVED}":null}`);
    });

    it("sends a partial member as it is (the service merges it) and resolves [] on 204", async () => {
      const { client, last } = setup(() => ({ status: 204 }));
      expect(await client.updateEntraAssignments({ [USER]: { clientIds: [APP] } })).toEqual([]);
      expect(last().body).toBe(`{"${USER}":{"clientIds":["${APP}"]}}`);
    });
  });

  describe("listEntraAssignments", () => {
    const pages = (request: CapturedRequest): FakeAnswer => {
      const url = new URL(request.url);
      if (url.searchParams.get("skip") === "1") return { status: 200, body: { value: [{ ...ENTRA_ASSIGNMENT, objectId: REMOVED }] } };
      return { status: 200, body: { value: [ENTRA_ASSIGNMENT], nextLink: `${ENDPOINT}/access/entra/assignments?api-version=2025-03-02-preview&skip=1` } };
    };

    it("sends GET /access/entra/assignments and follows nextLink as items", async () => {
      const { client, httpClient } = setup(pages);
      const items = [];
      for await (const assignment of client.listEntraAssignments()) items.push(assignment.objectId);
      expect(items).toEqual([USER, REMOVED]);
      expect(httpClient.requests.map((r) => [r.method, r.url])).toEqual([
        ["GET", entraPath()],
        ["GET", `${ENDPOINT}/access/entra/assignments?api-version=2025-03-02-preview&skip=1`],
      ]);
      // Every page is signed for its own URL.
      expect(httpClient.requests[1].headers["authorization"]).toMatch(/^HMAC-SHA256 /);
    });

    it("byPage() yields pages with continuationToken, and resumes from one", async () => {
      const { client, httpClient } = setup(pages);
      const seen = [];
      for await (const page of client.listEntraAssignments().byPage()) seen.push({ ids: page.map((a) => a.objectId), token: page.continuationToken });
      expect(seen).toEqual([
        { ids: [USER], token: `${ENDPOINT}/access/entra/assignments?api-version=2025-03-02-preview&skip=1` },
        { ids: [REMOVED], token: undefined },
      ]);
      const resumed = [];
      for await (const page of client.listEntraAssignments().byPage({ continuationToken: seen[0].token })) resumed.push(page.map((a) => a.objectId));
      expect(resumed).toEqual([[REMOVED]]);
      expect(httpClient.requests).toHaveLength(3);
    });

    it("resolves a relative nextLink against the endpoint", async () => {
      const { client, last } = setup((request) =>
        request.url.includes("skip") ? { status: 200, body: { value: [] } } : { status: 200, body: { value: [], nextLink: "/access/entra/assignments?skip=2&api-version=2025-03-02-preview" } },
      );
      for await (const _ of client.listEntraAssignments()) void _;
      expect(last().url).toBe(`${ENDPOINT}/access/entra/assignments?api-version=2025-03-02-preview&skip=2`);
    });

    it("refuses a nextLink on another host with PARSE_ERROR instead of sending the credential there", async () => {
      const { client, httpClient } = setup(() => ({ status: 200, body: { value: [], nextLink: "https://elsewhere.example/steal?x=1" } }));
      const iterator = client.listEntraAssignments();
      await expect(iterator.next()).rejects.toMatchObject({ name: "RestError", code: "PARSE_ERROR" });
      expect(httpClient.requests).toHaveLength(1);
    });

    it("rejects on the first next() (never throws) when the pinned api-version lacks it", () => {
      const { client, httpClient } = setup(pages, { apiVersion: "2026-09-23" });
      const iterator = client.listEntraAssignments();
      return expect(iterator.next())
        .rejects.toThrow(/2025-03-02-preview/)
        .then(() => expect(httpClient.requests).toHaveLength(0));
    });
  });
});

describe("construction", () => {
  it("signs with an endpoint and a KeyCredential, like the identity client", async () => {
    const httpClient = createFakeHttpClient(() => ({ status: 204 }));
    const client = new CommunicationAccessClient(ENDPOINT, new AzureKeyCredential(ACCESS_KEY), { httpClient });
    await client.deleteEntraAssignment(USER);
    expect(httpClient.requests[0].headers["authorization"]).toMatch(/^HMAC-SHA256 /);
  });

  it("sends a bearer token for scope https://communication.azure.com//.default with a TokenCredential", async () => {
    const httpClient = createFakeHttpClient(() => ({ status: 204 }));
    const scopes: unknown[] = [];
    const credential = {
      getToken: async (scope: string | string[]) => {
        scopes.push(scope);
        return { token: "entra-token", expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const client = new CommunicationAccessClient(ENDPOINT, credential, { httpClient });
    await client.deleteTeamsExtensionAssignment(TENANT, OBJECT);
    expect(scopes.flat()).toEqual(["https://communication.azure.com//.default"]);
    expect(httpClient.requests[0].headers["authorization"]).toBe("Bearer entra-token");
  });

  it("sends the package's user agent", async () => {
    const { client, last } = setup(() => ({ status: 204 }));
    await client.deleteEntraAssignment(USER);
    expect(last().headers["user-agent"]).toMatch(/^azsdk-js-communication-identity\//);
  });
});
