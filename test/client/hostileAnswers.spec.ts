import type { OperationOptions } from "@azure/core-client";
import { createHttpHeaders, RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CommunicationAccessClient, CommunicationIdentityClient } from "../../src/index.js";
import { CONNECTION_STRING, SERVICE_DATE, USER_ID } from "./fakeHttpClient.js";

// Every operation of every client meets hostile answers: malformed JSON, valid JSON of the wrong
// shape at any depth, error envelopes of any shape. Each call either rejects with a RestError (the
// status attached, PARSE_ERROR for an unreadable success) or resolves a result of the documented types.

const RUNS = Number(process.env.FUZZ_RUNS ?? 1_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** A transport whose next answer the property sets. */
function scriptedTransport(): HttpClient & { answer: { status: number; bodyAsText?: string } } {
  const transport = {
    answer: { status: 500, bodyAsText: "" } as { status: number; bodyAsText?: string },
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      return { request, status: transport.answer.status, headers: createHttpHeaders({ "content-type": "application/json" }), bodyAsText: transport.answer.bodyAsText };
    },
  };
  return transport;
}

// ---- The documented result types, checked exactly ----
const isValidDate = (value: unknown): boolean => value instanceof Date && !Number.isNaN(value.getTime());
const nonEmptyString = (value: unknown): boolean => typeof value === "string" && value !== "";
function expectUser(value: unknown): void {
  expect(value).toEqual({ communicationUserId: expect.any(String) });
  expect(nonEmptyString((value as { communicationUserId: unknown }).communicationUserId)).toBe(true);
}
function expectAccessToken(value: unknown, extraKeys: string[] = []): void {
  const token = value as { token: unknown; expiresOn: unknown };
  expect(Object.keys(token).sort()).toEqual(["expiresOn", "token", ...extraKeys].sort());
  expect(nonEmptyString(token.token), "token must be a non-empty string").toBe(true);
  expect(isValidDate(token.expiresOn), "expiresOn must be a valid Date").toBe(true);
}
function expectUserToken(value: unknown): void {
  expectAccessToken(value, ["user"]);
  expectUser((value as { user: unknown }).user);
}
function expectUserDetail(value: unknown): void {
  const detail = value as { user: unknown; customId?: unknown; lastTokenIssuedAt?: unknown };
  expect(["customId", "lastTokenIssuedAt", "user"]).toEqual(expect.arrayContaining(Object.keys(detail)));
  expectUser(detail.user);
  if ("customId" in detail) expect(typeof detail.customId).toBe("string");
  if ("lastTokenIssuedAt" in detail) expect(isValidDate(detail.lastTokenIssuedAt)).toBe(true);
}
function expectNothing(value: unknown): void {
  expect(value).toBeUndefined();
}

/**
 * One row per operation. To cover another client (e.g. CommunicationAccessClient), add its rows:
 * a `call` that builds that client on the given transport and calls one method, the success status,
 * a valid answer body (undefined when bodiless) and the check of the documented result.
 */
interface OperationRow {
  name: string;
  call: (httpClient: HttpClient, options: OperationOptions) => Promise<unknown>;
  successStatus: number;
  /** Other statuses the operation accepts as success (never sent as error statuses). */
  otherSuccessStatuses?: number[];
  validBody?: unknown;
  expectResult: (value: unknown) => void;
}

const user = { communicationUserId: USER_ID };
const identityClient = (httpClient: HttpClient) => new CommunicationIdentityClient(CONNECTION_STRING, { httpClient, retryOptions: { maxRetries: 0 } });
const accessToken = { token: "token-jwt", expiresOn: SERVICE_DATE };

const identityClientRows: OperationRow[] = [
  {
    name: "CommunicationIdentityClient.createUser",
    call: (http, options) => identityClient(http).createUser(options),
    successStatus: 201,
    validBody: { identity: { id: USER_ID } },
    expectResult: expectUser,
  },
  {
    name: "CommunicationIdentityClient.createUser({ customId })",
    call: (http, options) => identityClient(http).createUser({ ...options, customId: "sally" }),
    successStatus: 201,
    validBody: { identity: { id: USER_ID, customId: "sally" } },
    expectResult: expectUser,
  },
  {
    name: "CommunicationIdentityClient.createUserAndToken",
    call: (http, options) => identityClient(http).createUserAndToken(["chat"], options),
    successStatus: 201,
    validBody: { identity: { id: USER_ID }, accessToken },
    expectResult: expectUserToken,
  },
  {
    name: "CommunicationIdentityClient.getUser",
    call: (http, options) => identityClient(http).getUser(user, options),
    successStatus: 200,
    validBody: { id: USER_ID, customId: "sally", lastTokenIssuedAt: SERVICE_DATE },
    expectResult: expectUserDetail,
  },
  {
    name: "CommunicationIdentityClient.getToken",
    call: (http, options) => identityClient(http).getToken(user, ["chat"], options),
    successStatus: 200,
    validBody: accessToken,
    expectResult: (value) => expectAccessToken(value),
  },
  {
    name: "CommunicationIdentityClient.revokeTokens",
    call: (http, options) => identityClient(http).revokeTokens(user, options),
    successStatus: 204,
    expectResult: expectNothing,
  },
  {
    name: "CommunicationIdentityClient.deleteUser",
    call: (http, options) => identityClient(http).deleteUser(user, options),
    successStatus: 204,
    expectResult: expectNothing,
  },
  {
    name: "CommunicationIdentityClient.getTokenForTeamsUser",
    call: (http, options) => identityClient(http).getTokenForTeamsUser({ teamsUserAadToken: "aad", clientId: "app", userObjectId: "oid", ...options }),
    successStatus: 200,
    validBody: accessToken,
    expectResult: (value) => expectAccessToken(value),
  },
];

const accessClient = (httpClient: HttpClient) => new CommunicationAccessClient(CONNECTION_STRING, { httpClient, retryOptions: { maxRetries: 0 } });
const TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd";
const OBJECT = "b27b64b9-39d2-44a3-869d-67700b74e805";
const teamsAssignment = { objectId: OBJECT, tenantId: TENANT, principalType: "user", clientIds: ["07474a86-625a-452f-977b-db4e13f21260"] };
const entraAssignment = { objectId: OBJECT, tenantId: TENANT, principalType: "group", clientIds: ["07474a86-625a-452f-977b-db4e13f21260"] };
function expectStrings(value: unknown): void {
  expect(Array.isArray(value) && value.every(nonEmptyString), "an array of non-empty strings").toBe(true);
}
function expectTeamsAssignment(value: unknown): void {
  const assignment = value as Record<string, unknown>;
  expect(["clientIds", "objectId", "principalType", "tenantId"]).toEqual(expect.arrayContaining(Object.keys(assignment)));
  for (const key of ["objectId", "tenantId", "principalType"]) expect(nonEmptyString(assignment[key]), key).toBe(true);
  if ("clientIds" in assignment) expectStrings(assignment.clientIds);
}
function expectEntraAssignment(value: unknown): void {
  const assignment = value as Record<string, unknown>;
  expect(Object.keys(assignment).sort()).toEqual(["clientIds", "objectId", "principalType", "tenantId"]);
  for (const key of ["objectId", "tenantId", "principalType"]) expect(nonEmptyString(assignment[key]), key).toBe(true);
  expectStrings(assignment.clientIds);
}
const expectUpserted = (expectAssignment: (value: unknown) => void) => (value: unknown) => {
  const result = value as { assignment: unknown; created: unknown };
  expect(Object.keys(result).sort()).toEqual(["assignment", "created"]);
  expect(typeof result.created).toBe("boolean");
  expectAssignment(result.assignment);
};
const expectEntraList = (value: unknown) => {
  expect(Array.isArray(value)).toBe(true);
  (value as unknown[]).forEach(expectEntraAssignment);
};

const accessClientRows: OperationRow[] = [
  {
    name: "CommunicationAccessClient.getTeamsExtensionAssignment",
    call: (http, options) => accessClient(http).getTeamsExtensionAssignment(TENANT, OBJECT, options),
    successStatus: 200,
    validBody: teamsAssignment,
    expectResult: expectTeamsAssignment,
  },
  {
    name: "CommunicationAccessClient.upsertTeamsExtensionAssignment",
    call: (http, options) => accessClient(http).upsertTeamsExtensionAssignment(TENANT, OBJECT, { principalType: "user" }, options),
    successStatus: 201,
    otherSuccessStatuses: [200],
    validBody: teamsAssignment,
    expectResult: expectUpserted(expectTeamsAssignment),
  },
  {
    name: "CommunicationAccessClient.deleteTeamsExtensionAssignment",
    call: (http, options) => accessClient(http).deleteTeamsExtensionAssignment(TENANT, OBJECT, options),
    successStatus: 204,
    expectResult: expectNothing,
  },
  {
    name: "CommunicationAccessClient.listEntraAssignments (first page)",
    call: async (http, options) => (await accessClient(http).listEntraAssignments(options).byPage().next()).value,
    successStatus: 200,
    validBody: { value: [entraAssignment], nextLink: "https://contoso.communication.azure.com/access/entra/assignments?skip=1" },
    expectResult: expectEntraList,
  },
  {
    name: "CommunicationAccessClient.getEntraAssignment",
    call: (http, options) => accessClient(http).getEntraAssignment(OBJECT, options),
    successStatus: 200,
    validBody: entraAssignment,
    expectResult: expectEntraAssignment,
  },
  {
    name: "CommunicationAccessClient.upsertEntraAssignment",
    call: (http, options) => accessClient(http).upsertEntraAssignment(OBJECT, { tenantId: TENANT, principalType: "group", clientIds: [] }, options),
    successStatus: 201,
    otherSuccessStatuses: [200],
    validBody: entraAssignment,
    expectResult: expectUpserted(expectEntraAssignment),
  },
  {
    name: "CommunicationAccessClient.deleteEntraAssignment",
    call: (http, options) => accessClient(http).deleteEntraAssignment(OBJECT, options),
    successStatus: 204,
    expectResult: expectNothing,
  },
  {
    name: "CommunicationAccessClient.updateEntraAssignments",
    call: (http, options) => accessClient(http).updateEntraAssignments({ [OBJECT]: null }, options),
    successStatus: 200,
    otherSuccessStatuses: [204],
    validBody: { value: [entraAssignment] },
    expectResult: expectEntraList,
  },
];

const rows: OperationRow[] = [...identityClientRows, ...accessClientRows];

// ---- Hostile answers ----
type Path = Array<string | number>;

/** Every path to a member of `value` (objects and arrays, at any depth), the root included. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (typeof value === "object" && value !== null) {
    for (const [key, member] of Object.entries(value)) paths.push(...pathsOf(member, [...prefix, Array.isArray(value) ? Number(key) : key]));
  }
  return paths;
}

const REMOVE = Symbol("remove");
/** A copy of `value` with the member at `path` replaced (or removed). */
function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement === REMOVE ? undefined : replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  const [head, ...rest] = path;
  const next = replaceAt(copy[head], rest, replacement);
  if (rest.length === 0 && replacement === REMOVE) delete copy[head];
  else copy[head] = next;
  return copy;
}

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>(REMOVE, null, "", 0, -1, 1e308, true, [], {}, [null], "x", "not a date", "2025-13-45T99:99:99Z", "8:acs:", { toString: "x" }),
);

/** A valid body with one member anywhere replaced by a hostile value, or removed. */
const mutatedBody = (valid: unknown) => fc.tuple(fc.constantFrom(...pathsOf(valid)), hostileValue).map(([path, value]) => JSON.stringify(replaceAt(valid, path, value)) ?? "");

const malformedText = (valid: unknown) =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom("", " ", "null", "[]", "{", "}", '{"', "undefined", "NaN", "\u0000", "<html>502</html>", "\uFEFF{}"),
    fc.nat().map((cut) => {
      const text = JSON.stringify(valid ?? {});
      return text.slice(0, cut % (text.length + 1));
    }),
  );

/** Error envelopes of any shape: `error` itself, its code and message, details and innererror of any type. */
const errorEnvelope = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((error) => ({ error })),
  fc
    .record(
      { code: hostileValue, message: hostileValue, target: hostileValue, details: hostileValue, innererror: hostileValue },
      { requiredKeys: [] },
    )
    .map((error) => ({ error: Object.fromEntries(Object.entries(error).filter(([, value]) => value !== REMOVE)) })),
  fc.jsonValue({ maxDepth: 3 }),
);

const ERROR_STATUSES = [200, 201, 202, 204, 301, 304, 400, 401, 403, 404, 409, 429, 500, 501, 503];

function hostileAnswer(row: OperationRow) {
  const success = (bodyAsText: fc.Arbitrary<string | undefined>) => bodyAsText.map((text) => ({ status: row.successStatus, bodyAsText: text }));
  const validBody = row.validBody ?? {};
  return fc.oneof(
    { weight: 4, arbitrary: success(mutatedBody(validBody)) },
    { weight: 2, arbitrary: success(malformedText(validBody)) },
    { weight: 1, arbitrary: success(fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value))) },
    { weight: 1, arbitrary: success(fc.constant(undefined)) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...ERROR_STATUSES.filter((status) => status !== row.successStatus && !row.otherSuccessStatuses?.includes(status))), fc.oneof(errorEnvelope.map((body) => JSON.stringify(body)), malformedText(validBody)))
        .map(([status, bodyAsText]) => ({ status, bodyAsText })),
    },
  );
}

const legacyOptions = fc.constantFrom<OperationOptions>({}, {}, { requestOptions: { shouldDeserialize: false } }, { requestOptions: { shouldDeserialize: () => false } });

describe.each(rows.map((row) => [row.name, row] as const))("%s under hostile answers", (_name, row) => {
  it("resolves the documented result for the valid answer", async () => {
    const transport = scriptedTransport();
    transport.answer = { status: row.successStatus, bodyAsText: row.validBody === undefined ? "" : JSON.stringify(row.validBody) };
    row.expectResult(await row.call(transport, {}));
  });

  it(`rejects only with RestErrors and never resolves a wrong-typed result (${RUNS} answers)`, async () => {
    const transport = scriptedTransport();
    const tally = { resolved: 0, parseErrors: 0, statusErrors: 0 };
    await fc.assert(
      fc.asyncProperty(hostileAnswer(row), legacyOptions, async (answer, options) => {
        transport.answer = answer;
        let outcome: { value: unknown } | { error: unknown };
        try {
          outcome = { value: await row.call(transport, options) };
        } catch (error) {
          outcome = { error };
        }
        const legacy = options.requestOptions?.shouldDeserialize !== undefined;
        if ("error" in outcome) {
          const error = outcome.error as RestError;
          expect(error, `${String(error)} for ${answer.status} ${answer.bodyAsText}`).toBeInstanceOf(RestError);
          expect(error.statusCode).toBe(answer.status);
          expect(error.response?.status).toBe(answer.status);
          expect(typeof error.message === "string" && error.message.trim() !== "", "a message saying what was wrong").toBe(true);
          if (answer.status === row.successStatus) {
            expect(error.code).toBe("PARSE_ERROR");
            tally.parseErrors++;
          } else {
            expect(error.code === undefined || typeof error.code === "string").toBe(true);
            tally.statusErrors++;
          }
        } else {
          // With shouldDeserialize false the result is the raw answer by design (as 1.3.1); otherwise it is typed.
          if (!legacy) {
            expect(answer.status).toBe(row.successStatus);
            row.expectResult(outcome.value);
          }
          tally.resolved++;
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The answers reached every branch: some mapped, some unreadable (when there is a body to read), some error statuses.
    if (row.validBody !== undefined) expect(tally.parseErrors).toBeGreaterThan(0);
    expect(tally.statusErrors).toBeGreaterThan(0);
    expect(tally.resolved).toBeGreaterThan(0);
  });
});
