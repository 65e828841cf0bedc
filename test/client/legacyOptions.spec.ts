import { CommunicationIdentityClient as OfficialClient } from "@azure/communication-identity";
import type { FullOperationResponse, OperationOptions } from "@azure/core-client";
import { RestError as CoreRestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { CommunicationIdentityClient, RestError } from "../../src/index.js";
import { CONNECTION_STRING, createFakeHttpClient, USER_ID, type FakeAnswer } from "./fakeHttpClient.js";

// The same calls through 1.3.1 (the oracle, a devDependency) and through ours, each with a fake
// transport giving the same answer; what each resolves or rejects, and what onResponse sees, must match.

const user = { communicationUserId: USER_ID };
const teams = { teamsUserAadToken: "aad-token", clientId: "client-id", userObjectId: "object-id" };
type Client = Pick<CommunicationIdentityClient, "createUser" | "createUserAndToken" | "getToken" | "revokeTokens" | "deleteUser" | "getTokenForTeamsUser">;
type Method = keyof Client;

const calls: Record<Method, (client: Client, options: OperationOptions) => Promise<unknown>> = {
  createUser: (client, options) => client.createUser(options),
  createUserAndToken: (client, options) => client.createUserAndToken(["chat"], options),
  getToken: (client, options) => client.getToken(user, ["chat"], options),
  revokeTokens: (client, options) => client.revokeTokens(user, options),
  deleteUser: (client, options) => client.deleteUser(user, options),
  getTokenForTeamsUser: (client, options) => client.getTokenForTeamsUser({ ...teams, ...options }),
};

const TOKEN = { token: "token-jwt", expiresOn: "2011-11-30T00:00:00.1234567+00:00" };
const json = (status: number, body: unknown): FakeAnswer => ({ status, body: JSON.stringify(body), headers: { "content-type": "application/json" } });
// Each method's success, with a field the service may add later.
const success: Record<Method, FakeAnswer> = {
  createUser: json(201, { identity: { id: USER_ID, extra: 1 } }),
  createUserAndToken: json(201, { identity: { id: USER_ID }, accessToken: { ...TOKEN, extra: 2 } }),
  getToken: json(200, { ...TOKEN, extra: 3 }),
  revokeTokens: { status: 204 },
  deleteUser: { status: 204 },
  getTokenForTeamsUser: json(200, { ...TOKEN, extra: 4 }),
};
const methods = Object.keys(calls) as Method[];
const validation = json(400, { error: { code: "ValidationError", message: "Invalid scopes - Scopes field is required.", target: "scopes" } });
const nested = json(500, { error: { code: "Outer", message: "outer", innererror: { code: "Inner", message: "inner" } } });

interface Observed {
  outcome: "resolved" | "rejected";
  value?: unknown;
  error?: { restError: boolean; name: string; statusCode?: number; code?: string; message: string };
  onResponse: Array<{ status: number; flat: unknown; parsedBody: unknown; error?: { statusCode?: number; code?: string } }>;
}

/** Dates become `Date(<iso>)`, so a Date and its string never compare equal. */
function snapshot(value: unknown): unknown {
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  if (Array.isArray(value)) return value.map(snapshot);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, snapshot(member)]));
  return value;
}

async function observe(make: (options: object) => Client, method: Method, answer: FakeAnswer, options: OperationOptions): Promise<Observed> {
  const httpClient = createFakeHttpClient(() => answer);
  const client = make({ httpClient, retryOptions: { maxRetries: 0 } });
  const seen: Observed["onResponse"] = [];
  const onResponse = (raw: FullOperationResponse, flat: unknown, error?: unknown) => {
    const failure = error as { statusCode?: number; code?: string } | undefined;
    seen.push({ status: raw.status, flat: snapshot(flat), parsedBody: snapshot(raw.parsedBody), ...(failure ? { error: { statusCode: failure.statusCode, code: failure.code } } : {}) });
  };
  try {
    const value = await calls[method](client, { ...options, onResponse });
    return { outcome: "resolved", value: snapshot(value), onResponse: seen };
  } catch (thrown) {
    const error = thrown as RestError;
    const restError = thrown instanceof CoreRestError || (thrown as { name?: unknown } | undefined)?.name === "RestError";
    return { outcome: "rejected", error: { restError, name: error.name, statusCode: error.statusCode, code: error.code, message: error.message }, onResponse: seen };
  }
}

const official = (method: Method, answer: FakeAnswer, options: OperationOptions = {}) =>
  observe((clientOptions) => new OfficialClient(CONNECTION_STRING, clientOptions), method, answer, options);
const ours = (method: Method, answer: FakeAnswer, options: OperationOptions = {}) =>
  observe((clientOptions) => new CommunicationIdentityClient(CONNECTION_STRING, clientOptions), method, answer, options);

const notDeserialized: Array<[string, OperationOptions]> = [
  ["shouldDeserialize: false", { requestOptions: { shouldDeserialize: false } }],
  ["shouldDeserialize: () => false", { requestOptions: { shouldDeserialize: () => false } }],
  ["shouldDeserialize: false only for statuses below 400", { requestOptions: { shouldDeserialize: (response) => response.status >= 400 } }],
];

// The service's answers without the extra fields (1.3.1 keeps unknown fields in its results; ours drops them).
const plain: Record<Method, FakeAnswer> = {
  ...success,
  createUser: json(201, { identity: { id: USER_ID } }),
  createUserAndToken: json(201, { identity: { id: USER_ID }, accessToken: TOKEN }),
  getToken: json(200, TOKEN),
  getTokenForTeamsUser: json(200, TOKEN),
};

describe.each(methods)("%s, the same as 1.3.1", (method) => {
  it("without options resolves the same result (a Date for expiresOn) and calls onResponse once", async () => {
    const expected = await official(method, plain[method]);
    const actual = await ours(method, plain[method]);
    expect(actual.value).toEqual(expected.value);
    expect(actual.onResponse.map(({ status, error }) => ({ status, error }))).toEqual(expected.onResponse.map(({ status, error }) => ({ status, error })));
    // A bodiless success flattens to { body: undefined } in both.
    if (plain[method].body === undefined) expect(actual.onResponse).toEqual(expected.onResponse);
  });

  it.each(notDeserialized)("with %s on success resolves the raw answer (dates stay strings) and passes it to onResponse", async (_label, options) => {
    const expected = await official(method, success[method], options);
    expect(expected.outcome).toBe("resolved");
    expect(await ours(method, success[method], options)).toEqual(expected);
  });

  it("with shouldDeserialize: false on a 500 resolves the raw envelope (innererror not renamed) where 1.3.1 does", async () => {
    const options = { requestOptions: { shouldDeserialize: false } };
    const expected = await official(method, nested, options);
    const actual = await ours(method, nested, options);
    if (expected.outcome === "resolved") {
      expect(actual).toEqual(expected);
    } else {
      // 1.3.1 fails with a TypeError mapping `{ body }`; ours rejects with the service's RestError.
      expect(expected.error).toMatchObject({ restError: false, name: "TypeError" });
      expect(actual.outcome).toBe("rejected");
      expect(actual.error).toEqual({ restError: true, name: "RestError", statusCode: 500, code: "Outer", message: "outer" });
      expect(actual.onResponse).toEqual([{ ...expected.onResponse[0], error: { statusCode: 500, code: "Outer" } }]);
    }
  });

  it.each([
    ["a 400 envelope", validation],
    ["a 401 with an empty body", { status: 401 }],
    ["a 404 with an envelope", json(404, { error: { code: "IdentityNotFound", message: "Provided identity doesn't exist." } })],
  ])("with shouldDeserialize: false on %s resolves what 1.3.1 resolves, or rejects with a RestError where it fails", async (_label, answer) => {
    const options = { requestOptions: { shouldDeserialize: false } };
    const expected = await official(method, answer, options);
    const actual = await ours(method, answer, options);
    if (expected.outcome === "resolved") {
      expect(actual).toEqual(expected);
    } else {
      expect(actual.outcome).toBe("rejected");
      expect(actual.error).toMatchObject({ restError: true, statusCode: answer.status });
      expect(actual.onResponse.map(({ status, flat }) => ({ status, flat }))).toEqual(expected.onResponse.map(({ status, flat }) => ({ status, flat })));
    }
  });

  it("with shouldDeserialize: false on an unexpected success status resolves { body } where 1.3.1 does", async () => {
    const answer = method === "revokeTokens" || method === "deleteUser" ? json(200, { unexpected: true }) : { ...success[method], status: 202 };
    const options = { requestOptions: { shouldDeserialize: false } };
    const expected = await official(method, answer, options);
    const actual = await ours(method, answer, options);
    if (method === "createUser" || method === "createUserAndToken") {
      // 1.3.1 cannot find the identity in `{ body }` and fails with a TypeError; ours names the status.
      expect(expected.error).toMatchObject({ restError: false, name: "TypeError" });
      expect(actual.error).toMatchObject({ restError: true, statusCode: 202, message: "Service returned 202 where 201 was expected" });
    } else {
      expect(expected.outcome).toBe("resolved");
      expect(actual).toEqual(expected);
    }
  });

  it("calls onResponse with the raw response, the parsed envelope and the error for a failure, then rejects with the same RestError", async () => {
    const expected = await official(method, nested);
    const actual = await ours(method, nested);
    expect(expected.outcome).toBe("rejected");
    expect(actual).toEqual(expected);
    expect(actual.onResponse).toEqual([{ status: 500, flat: { error: { code: "Outer", message: "outer", innerError: { code: "Inner", message: "inner" } } }, parsedBody: expect.anything(), error: { statusCode: 500, code: "Outer" } }]);
  });

  it("accepts serializerOptions and resolves what it resolves without them", async () => {
    const options: OperationOptions = { serializerOptions: { xml: { rootName: "root", includeRoot: true } } };
    const plain = await ours(method, success[method]);
    const withOptions = await ours(method, success[method], options);
    expect(withOptions).toEqual(plain);
    expect(withOptions.outcome).toBe((await official(method, success[method], options)).outcome);
  });

  it("with malformed JSON on success rejects with a PARSE_ERROR, with or without shouldDeserialize", async () => {
    const answer: FakeAnswer = { ...success[method], body: '{"token":', status: success[method].status };
    for (const options of [{}, { requestOptions: { shouldDeserialize: false } }]) {
      const actual = await ours(method, answer, options);
      if (success[method].status === 204) {
        // A bodiless success has nothing to parse; 1.3.1 rejects here, ours ignores the body.
        expect(actual.outcome).toBe("resolved");
        continue;
      }
      const expected = await official(method, answer, options);
      expect(expected.error).toMatchObject({ restError: true, code: "PARSE_ERROR" });
      expect(actual.error).toMatchObject({ restError: true, code: "PARSE_ERROR", statusCode: answer.status });
      expect(actual.onResponse).toHaveLength(1);
      expect(actual.onResponse[0].error).toEqual({ statusCode: answer.status, code: "PARSE_ERROR" });
    }
  });
});

describe("onResponse for a failure without a JSON body", () => {
  it.each(methods)("%s: is called once with the raw response and the error", async (method) => {
    const actual = await ours(method, { status: 503, body: "<html>busy</html>" });
    expect(actual.error).toMatchObject({ restError: true, statusCode: 503 });
    expect(actual.onResponse).toEqual([{ status: 503, flat: undefined, parsedBody: undefined, error: { statusCode: 503, code: undefined } }]);
  });
});

describe("getUser with shouldDeserialize: false (not in 1.3.1)", () => {
  it("resolves the raw answer, the date left a string", async () => {
    const body = { id: USER_ID, customId: "sally", lastTokenIssuedAt: TOKEN.expiresOn, extra: true };
    const httpClient = createFakeHttpClient(() => json(200, body));
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    await expect(client.getUser(user, { requestOptions: { shouldDeserialize: false } })).resolves.toEqual(body);
  });
});

describe("RestError", () => {
  it("is exported from the package root and is the class core-rest-pipeline throws", async () => {
    expect(RestError).toBe(CoreRestError);
    const httpClient = createFakeHttpClient(() => validation);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    await expect(client.getToken(user, ["chat"])).rejects.toBeInstanceOf(RestError);
  });
});
