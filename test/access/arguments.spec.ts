import { useInstrumenter, type Instrumenter, type TracingContext } from "@azure/core-tracing";
import type { PagedAsyncIterableIterator as CorePagedAsyncIterableIterator } from "@azure/core-paging";
import { describe, expect, expectTypeOf, it } from "vitest";
import { CommunicationAccessClient, type EntraAssignment, type EntraAssignmentPage } from "../../src/index.js";
import { CONNECTION_STRING, createFakeHttpClient } from "../client/fakeHttpClient.js";

const TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd";
const OBJECT = "b27b64b9-39d2-44a3-869d-67700b74e805";
const APP = "07474a86-625a-452f-977b-db4e13f21260";

function setup() {
  const httpClient = createFakeHttpClient(() => ({ status: 204 }));
  return { client: new CommunicationAccessClient(CONNECTION_STRING, { httpClient }), httpClient };
}

type Call = (client: CommunicationAccessClient) => Promise<unknown>;
const any = (value: unknown) => value as never;

describe("argument checks", () => {
  it.each<[string, Call, RegExp]>([
    ["getTeamsExtensionAssignment without tenantId", (c) => c.getTeamsExtensionAssignment(any(undefined), OBJECT), /tenantId must be a string/],
    ["getTeamsExtensionAssignment with an empty objectId", (c) => c.getTeamsExtensionAssignment(TENANT, " "), /objectId must not be empty/],
    ["upsertTeamsExtensionAssignment without assignment", (c) => c.upsertTeamsExtensionAssignment(TENANT, OBJECT, any(undefined)), /assignment must be an object/],
    ["upsertTeamsExtensionAssignment without principalType", (c) => c.upsertTeamsExtensionAssignment(TENANT, OBJECT, any({})), /assignment.principalType must be a string/],
    [
      "upsertTeamsExtensionAssignment with a non-string client id",
      (c) => c.upsertTeamsExtensionAssignment(TENANT, OBJECT, { principalType: "user", clientIds: any([1]) }),
      /assignment.clientIds\[0\] must be a string/,
    ],
    ["deleteTeamsExtensionAssignment with a number objectId", (c) => c.deleteTeamsExtensionAssignment(TENANT, any(5)), /objectId must be a string/],
    ["getEntraAssignment without objectId", (c) => c.getEntraAssignment(any(null)), /objectId must be a string/],
    ["upsertEntraAssignment without tenantId", (c) => c.upsertEntraAssignment(OBJECT, any({ principalType: "user", clientIds: [APP] })), /assignment.tenantId must be a string/],
    ["upsertEntraAssignment without clientIds", (c) => c.upsertEntraAssignment(OBJECT, any({ tenantId: TENANT, principalType: "user" })), /assignment.clientIds must be an array/],
    ["deleteEntraAssignment with options not an object", (c) => c.deleteEntraAssignment(OBJECT, any("x")), /options must be an object/],
    ["updateEntraAssignments without updates", (c) => c.updateEntraAssignments(any(undefined)), /updates must be an object/],
    ["updateEntraAssignments with an array", (c) => c.updateEntraAssignments(any([])), /updates must be an object/],
    ["updateEntraAssignments with a string member", (c) => c.updateEntraAssignments(any({ [OBJECT]: "x" })), /updates\[".*"\] must be an object/],
    ["listEntraAssignments with a continuation token on another host", (c) => c.listEntraAssignments().byPage({ continuationToken: "https://elsewhere.example/x" }).next(), /continuationToken/],
  ])("%s rejects naming the argument, before any request", async (_name, call, message) => {
    const { client, httpClient } = setup();
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = call(client);
    }).not.toThrow();
    await expect(promise).rejects.toThrow(message);
    expect(httpClient.requests).toHaveLength(0);
  });
});

describe("types", () => {
  it("listEntraAssignments is assignable to @azure/core-paging's PagedAsyncIterableIterator", () => {
    const { client } = setup();
    expectTypeOf(client.listEntraAssignments()).toMatchTypeOf<CorePagedAsyncIterableIterator<EntraAssignment, EntraAssignmentPage>>();
  });
});

describe("tracing", () => {
  it("opens one span CommunicationAccess-<method> per call", async () => {
    const names: string[] = [];
    const context: TracingContext = { getValue: () => undefined, setValue: () => context, deleteValue: () => context };
    const instrumenter: Instrumenter = {
      startSpan(name) {
        names.push(name);
        return {
          span: { setStatus: () => undefined, setAttribute: () => undefined, end: () => undefined, recordException: () => undefined, isRecording: () => true },
          tracingContext: context,
        };
      },
      withContext: (_context, callback, ...args) => callback(...args),
      parseTraceparentHeader: () => undefined,
      createRequestHeaders: () => ({}),
    };
    useInstrumenter(instrumenter);
    const httpClient = createFakeHttpClient((request) =>
      request.method === "GET" ? { status: 200, body: { value: [] } } : request.method === "PATCH" ? { status: 204 } : { status: 204 },
    );
    const client = new CommunicationAccessClient(CONNECTION_STRING, { httpClient });
    await client.deleteTeamsExtensionAssignment(TENANT, OBJECT);
    await client.deleteEntraAssignment(OBJECT);
    await client.updateEntraAssignments({});
    for await (const _ of client.listEntraAssignments()) void _;
    expect(names).toEqual([
      "CommunicationAccess-deleteTeamsExtensionAssignment",
      "CommunicationAccess-deleteEntraAssignment",
      "CommunicationAccess-updateEntraAssignments",
      "CommunicationAccess-listEntraAssignments",
    ]);
  });
});
