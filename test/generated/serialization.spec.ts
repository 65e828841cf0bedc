import { describe, expect, it } from "vitest";
import {
  communicationIdentityCreateOperation,
  communicationIdentityExchangeTeamsUserAccessTokenOperation,
  communicationIdentityGetOperation,
  communicationIdentityIssueAccessTokenOperation,
  communicationIdentityRevokeAccessTokensOperation,
  entraIdAssignmentsListOperation,
  entraIdAssignmentsUpdateOperation,
  teamsExtensionTokenExchangeOperation,
} from "../../src/generated/operations.js";
import {
  deserializeCommunicationIdentityAccessTokenResult,
  deserializeEntraAssignmentsResponse,
  salvageCommunicationErrorResponse,
  serializeCommunicationIdentityCreateRequest,
  serializeEntraAssignmentUpdateBulkRequest,
} from "../../src/generated/serialization.js";

// The committed src/generated (no ../shared needed): what the client and the access client build on.

describe("generated operation tables", () => {
  it("know which api-versions have each operation", () => {
    expect(communicationIdentityGetOperation.apiVersions).toEqual(["2025-03-02-preview"]);
    expect(communicationIdentityExchangeTeamsUserAccessTokenOperation.apiVersions).toEqual(["2022-06-01", "2022-10-01", "2023-10-01", "2025-03-02-preview", "2025-06-30", "2026-09-23"]);
    expect(teamsExtensionTokenExchangeOperation.apiVersions).toEqual(["2025-03-02-preview", "2025-06-30", "2026-09-23"]);
    expect(entraIdAssignmentsListOperation.apiVersions).toEqual(["2025-03-02-preview"]);
  });

  it("know per version which body properties exist (expiresInMinutes from 2022-10-01, customId only in the preview)", () => {
    expect(communicationIdentityIssueAccessTokenOperation.versions["2022-06-01"].bodyProperties).toEqual(["scopes"]);
    expect(communicationIdentityIssueAccessTokenOperation.versions["2022-10-01"].bodyProperties).toEqual(["scopes", "expiresInMinutes"]);
    expect(communicationIdentityCreateOperation.versions["2026-09-23"].bodyProperties).toEqual(["createTokenWithScopes", "expiresInMinutes"]);
    expect(communicationIdentityCreateOperation.versions["2025-03-02-preview"].bodyProperties).toEqual(["createTokenWithScopes", "expiresInMinutes", "customId"]);
  });

  it("describe method, path, params, body, success statuses and paging as data", () => {
    expect(communicationIdentityGetOperation).toMatchObject({ method: "GET", path: "/identities/{id}", pathParams: ["id"], successStatuses: [200] });
    expect(communicationIdentityGetOperation.body).toBeUndefined();
    expect(communicationIdentityCreateOperation.body).toMatchObject({ required: false, mediaType: "application/json" });
    expect(communicationIdentityRevokeAccessTokensOperation.successStatuses).toEqual([204]);
    expect(entraIdAssignmentsUpdateOperation).toMatchObject({ method: "PATCH", successStatuses: [200, 204], pageable: { itemName: "value", nextLinkName: "nextLink" } });
    expect(entraIdAssignmentsUpdateOperation.body?.mediaType).toBe("application/merge-patch+json");
  });
});

describe("generated serializers", () => {
  it("write compact JSON in the order old clients send, omitting undefined", () => {
    expect(serializeCommunicationIdentityCreateRequest({})).toBe("{}");
    expect(serializeCommunicationIdentityCreateRequest({ customId: "c", expiresInMinutes: undefined, createTokenWithScopes: ["chat"] })).toBe(
      '{"createTokenWithScopes":["chat"],"customId":"c"}',
    );
  });

  it("write null for a merge-patch entry to remove", () => {
    expect(serializeEntraAssignmentUpdateBulkRequest({ a: { tenantId: "t", principalType: "user", clientIds: ["c"] }, b: null })).toBe(
      '{"a":{"tenantId":"t","principalType":"user","clientIds":["c"]},"b":null}',
    );
  });
});

describe("generated deserializers", () => {
  const good = { identity: { id: "8:acs:x", extra: 1 }, accessToken: { token: "t", expiresOn: "2025-04-18T14:46:09.2469181+00:00" } };

  it("read the known members and drop the rest", () => {
    expect(deserializeCommunicationIdentityAccessTokenResult(good)).toEqual({ identity: { id: "8:acs:x" }, accessToken: good.accessToken });
  });

  it.each([
    [{ ...good, accessToken: { token: "t", expiresOn: 5 } }, "accessToken.expiresOn: expected a string, got number"],
    [{ ...good, accessToken: { expiresOn: "x" } }, "accessToken.token: expected a string, but it is missing"],
    [{ accessToken: good.accessToken }, "identity: expected an object, but it is missing"],
    [{ identity: [] }, "identity: expected an object, got an array"],
    [{ identity: { id: null } }, "identity.id: expected a string, got null"],
  ])("throw an Error naming the JSON path on a wrong shape (%j)", (answer, message) => {
    expect(() => deserializeCommunicationIdentityAccessTokenResult(answer)).toThrow(message);
  });

  it("name array indexes in the path", () => {
    const page = { value: [{ objectId: "a", tenantId: "t", principalType: "user", clientIds: [] }, { objectId: 7 }] };
    expect(() => deserializeEntraAssignmentsResponse(page)).toThrow("value[1].objectId: expected a string, got number");
  });

  it("name the response body when the answer is not an object", () => {
    expect(() => deserializeEntraAssignmentsResponse("x")).toThrow("response body: expected an object, got string");
  });
});

describe("the generated error-envelope reader", () => {
  it("renames innererror to innerError and drops unknown members", () => {
    expect(salvageCommunicationErrorResponse({ error: { code: "A", message: "a", innererror: { code: "B", message: "b" }, extra: 1 } })).toEqual({
      error: { code: "A", message: "a", innerError: { code: "B", message: "b" } },
    });
  });

  it.each([
    [{ error: { code: "A", details: "x" } }, { error: { code: "A" } }],
    [{ error: { code: "A", details: [null, 5, { code: "B" }] } }, { error: { code: "A", details: [{ code: "B" }] } }],
    [{ error: { code: 5, message: ["m"], target: {} } }, { error: {} }],
    [{ error: "boom" }, {}],
    [[1, 2], undefined],
    [null, undefined],
  ])("never throws: keeps what has the right type (%j)", (envelope, expected) => {
    expect(salvageCommunicationErrorResponse(envelope)).toEqual(expected);
  });

  it("survives an envelope nested deeper than any service sends", () => {
    let deep: Record<string, unknown> = { code: "leaf" };
    for (let i = 0; i < 100_000; i++) deep = { code: "x", innererror: deep };
    expect(() => salvageCommunicationErrorResponse({ error: deep })).not.toThrow();
  });
});
