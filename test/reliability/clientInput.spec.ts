import { AzureKeyCredential } from "@azure/core-auth";
import { RestError } from "@azure/core-rest-pipeline";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";
import { CommunicationIdentityClient } from "../../src/index.js";
import { createRecordingHttpClient, type RecordingHttpClient } from "../helpers/recordingHttpClient.js";

// Hostile values: each goes into one argument slot while the others stay valid.
const LONG = "x".repeat(10 * 1024);
const UNICODE = "ünïcødé 用户 🙂 \u202e";
const strings: Array<[string, string]> = [
  ["an empty string", ""],
  ["whitespace", " \t\n "],
  ["a 10 KB string", LONG],
  ["unicode", UNICODE],
  ["a / ? # % string", "a/b?c=d#e%f%2"],
];
const nonStrings: Array<[string, unknown]> = [
  ["null", null],
  ["undefined", undefined],
  ["a number", 42],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["a boolean", true],
  ["an object", { toString: () => "chat" }],
  ["an array", ["chat"]],
  ["a function", () => "chat"],
  ["a symbol", Symbol("chat")],
  ["a bigint", 60n],
];
const everything: Array<[string, unknown]> = [...nonStrings, ...strings];

type Call = (client: CommunicationIdentityClient, value: unknown) => Promise<unknown>;

interface Slot {
  /** `method(argument)`, for the test name. */
  name: string;
  /** What a rejection before any request must name. */
  argument: RegExp;
  call: Call;
  /** Where the value lands on the wire when it is sent: checks it went out faithfully. */
  wire?: { field: string } | { pathId: true };
}

let emulator: IdentityEmulator;
let validUser: { communicationUserId: string };
let teams: { teamsUserAadToken: string; clientId: string; userObjectId: string };
beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
  const client = new CommunicationIdentityClient(emulator.connectionString, emulator.clientOptions());
  validUser = await client.createUser();
  const clientId = randomUUID();
  const userObjectId = randomUUID();
  teams = { teamsUserAadToken: emulator.createTeamsUserAadToken({ appId: clientId, userObjectId }), clientId, userObjectId };
});
afterAll(() => emulator.close());

/* eslint-disable @typescript-eslint/no-explicit-any -- these calls deliberately break the types */
const userSlots = (method: "getUser" | "getUserDetail" | "revokeTokens" | "deleteUser" | "getToken"): Slot[] => {
  const rest = (client: CommunicationIdentityClient, user: unknown) =>
    method === "getToken" ? client.getToken(user as any, ["chat"]) : client[method](user as any);
  return [
    { name: `${method}(user)`, argument: /\buser\b/, call: rest },
    { name: `${method}(user.communicationUserId)`, argument: /communicationUserId/, call: (c, v) => rest(c, { communicationUserId: v }), wire: { pathId: true } },
    {
      name: `${method}(user, …, options)`,
      argument: /options/,
      call: (c, v) => (method === "getToken" ? c.getToken(validUser, ["chat"], v as any) : c[method](validUser, v as any)),
    },
  ];
};

const slots: Slot[] = [
  { name: "createUser(options)", argument: /options/, call: (c, v) => c.createUser(v as any) },
  { name: "createUser(options.customId)", argument: /customId/, call: (c, v) => c.createUser({ customId: v as any }), wire: { field: "customId" } },
  { name: "createUserAndToken(scopes)", argument: /scopes/, call: (c, v) => c.createUserAndToken(v as any) },
  { name: "createUserAndToken(scopes[0])", argument: /scopes/, call: (c, v) => c.createUserAndToken([v as any]), wire: { field: "createTokenWithScopes" } },
  { name: "createUserAndToken(scopes, options)", argument: /options/, call: (c, v) => c.createUserAndToken(["chat"], v as any) },
  {
    name: "createUserAndToken(options.customId)",
    argument: /customId/,
    call: (c, v) => c.createUserAndToken(["chat"], { customId: v as any }),
    wire: { field: "customId" },
  },
  {
    name: "createUserAndToken(options.tokenExpiresInMinutes)",
    argument: /tokenExpiresInMinutes/,
    call: (c, v) => c.createUserAndToken(["chat"], { tokenExpiresInMinutes: v as any }),
    wire: { field: "expiresInMinutes" },
  },
  ...userSlots("getUser"),
  ...userSlots("getUserDetail"),
  ...userSlots("revokeTokens"),
  ...userSlots("deleteUser"),
  ...userSlots("getToken"),
  { name: "getToken(user, scopes)", argument: /scopes/, call: (c, v) => c.getToken(validUser, v as any) },
  { name: "getToken(user, scopes[0])", argument: /scopes/, call: (c, v) => c.getToken(validUser, [v as any]), wire: { field: "scopes" } },
  {
    name: "getToken(options.tokenExpiresInMinutes)",
    argument: /tokenExpiresInMinutes/,
    call: (c, v) => c.getToken(validUser, ["chat"], { tokenExpiresInMinutes: v as any }),
    wire: { field: "expiresInMinutes" },
  },
  { name: "getTokenForTeamsUser(options)", argument: /options/, call: (c, v) => c.getTokenForTeamsUser(v as any) },
  ...(["teamsUserAadToken", "clientId", "userObjectId"] as const).map(
    (field): Slot => ({
      name: `getTokenForTeamsUser(options.${field})`,
      argument: new RegExp(field),
      call: (c, v) => c.getTokenForTeamsUser({ ...teams, [field]: v as any }),
      wire: { field: { teamsUserAadToken: "token", clientId: "appId", userObjectId: "userId" }[field] },
    }),
  ),
];
/* eslint-enable @typescript-eslint/no-explicit-any */

// `8:acs:` ids of this resource carrying characters that must be percent-encoded in a path segment.
const hostileIds = (): Array<[string, string]> => [
  ["an id with /", `8:acs:${emulator.resourceId}_a/b`],
  ["an id with ?", `8:acs:${emulator.resourceId}_a?api-version=2023-10-01`],
  ["an id with #", `8:acs:${emulator.resourceId}_a#b`],
  ["an id with %", `8:acs:${emulator.resourceId}_100%25%`],
  ["an id with ../", `8:acs:${emulator.resourceId}_../../teamsUser`],
  ["a unicode id", `8:acs:${emulator.resourceId}_${UNICODE}`],
];

type Settled = { status: "resolved"; value: unknown } | { status: "rejected"; error: unknown };

// No wall-clock bound of its own: a call that never settles fails on the test's timeout.
function settle(promise: Promise<unknown>): Promise<Settled> {
  return promise.then(
    (value): Settled => ({ status: "resolved", value }),
    (error: unknown): Settled => ({ status: "rejected", error }),
  );
}

function newClient(): { client: CommunicationIdentityClient; http: RecordingHttpClient } {
  const http = createRecordingHttpClient();
  const client = new CommunicationIdentityClient(emulator.connectionString, {
    ...emulator.clientOptions(),
    httpClient: http,
    retryOptions: { maxRetries: 0 },
  });
  return { client, http };
}

/** The one contract every hostile argument must meet. */
async function expectRejectedOrFaithfullySent(slot: Slot, value: unknown): Promise<void> {
  const { client, http } = newClient();
  let promise: Promise<unknown> | undefined;
  expect(() => (promise = slot.call(client, value)), "a method must never throw synchronously").not.toThrow();
  expect(promise).toBeInstanceOf(Promise);
  const outcome = await settle(promise!);

  if (http.attempts.length === 0) {
    // Refused before any request: a clear error naming the argument.
    expect(outcome.status).toBe("rejected");
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(slot.argument);
    return;
  }

  const [attempt] = http.attempts;
  if (slot.wire && "pathId" in slot.wire) {
    const segment = new URL(attempt.url).pathname.split("/")[2];
    expect(segment, "the id goes out as one percent-encoded path segment").toBe(encodeURIComponent(String(value)));
  } else if (slot.wire) {
    const body = attempt.body === "" ? {} : JSON.parse(attempt.body);
    const field = slot.wire.field;
    const sent = Array.isArray(body[field]) && (field === "scopes" || field === "createTokenWithScopes") ? body[field][0] : body[field];
    expect(sent, `${field} must go out as given`).toStrictEqual(value);
  }

  if (outcome.status === "rejected") {
    // The service's answer, intact.
    const error = outcome.error as RestError;
    expect(error).toBeInstanceOf(RestError);
    expect(error.statusCode).toBe(attempt.outcome);
    const answer = JSON.parse(attempt.responseText ?? "");
    expect(error.code).toBe(answer.error.code);
    expect(error.message).toBe(answer.error.message);
  }
}

describe("hostile arguments to every method", () => {
  const cases = slots.flatMap((slot) => everything.map(([label, value]): [string, string, Slot, unknown] => [slot.name, label, slot, value]));
  it.each(cases)("%s with %s is refused naming the argument, or sent faithfully", async (_name, _label, slot, value) => {
    await expectRejectedOrFaithfullySent(slot, value);
  });

  it("sends 8:acs: ids with / ? # % and unicode as one encoded path segment and returns the service's error", async () => {
    for (const slot of slots.filter((s) => s.wire && "pathId" in s.wire)) {
      for (const [, id] of hostileIds()) await expectRejectedOrFaithfullySent(slot, id);
    }
  });
});

describe("hostile arguments to the constructor", () => {
  const key = new AzureKeyCredential(Buffer.alloc(32, 1).toString("base64"));

  it.each(everything)("a connection string that is %s throws an Error naming the connection string", (_label, value) => {
    expect(() => new CommunicationIdentityClient(value as string)).toThrow(/connection string/i);
  });

  it.each(everything)("an endpoint that is %s throws naming the endpoint", (_label, value) => {
    expect(() => new CommunicationIdentityClient(value as string, key)).toThrow(/endpoint/i);
  });

  it.each(nonStrings.filter(([, value]) => value !== undefined && value !== null))(
    "a credential that is %s (neither key nor token credential) throws without echoing anything",
    (_label, value) => {
      expect(() => new CommunicationIdentityClient("https://contoso.communication.azure.com", value as AzureKeyCredential)).toThrow(Error);
    },
  );

  it("accepts an IDN endpoint and sends to its punycode host", async () => {
    const http = createRecordingHttpClient({ sendRequest: async (request) => ({ request, status: 201, headers: request.headers, bodyAsText: '{"identity":{"id":"8:acs:x_y"}}' }) });
    const client = new CommunicationIdentityClient("https://ünï.example", key, { httpClient: http });
    await client.createUser();
    expect(new URL(http.attempts[0].url).host).toBe(new URL("https://ünï.example").host);
    expect(new URL(http.attempts[0].url).host).toMatch(/^xn--/);
  });
});
