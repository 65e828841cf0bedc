import { describe, expect, it } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { CONNECTION_STRING, createFakeHttpClient, serviceAnswer, USER_ID } from "./fakeHttpClient.js";

type AnyClient = Record<string, (...args: unknown[]) => Promise<unknown>>;

const user = { communicationUserId: USER_ID };
const teams = { teamsUserAadToken: "aad", clientId: "app", userObjectId: "oid" };

// [description, method, args, error class, text the message must contain]
const cases: Array<[string, string, unknown[], ErrorConstructor, string]> = [
  ["getToken without user", "getToken", [undefined, ["chat"]], TypeError, "user"],
  ["getToken with null user", "getToken", [null, ["chat"]], TypeError, "user"],
  ["getToken with a numeric id", "getToken", [{ communicationUserId: 42 }, ["chat"]], TypeError, "communicationUserId"],
  ["getToken with an empty id", "getToken", [{ communicationUserId: "" }, ["chat"]], RangeError, "communicationUserId"],
  ["getToken with a whitespace id", "getToken", [{ communicationUserId: "  " }, ["chat"]], RangeError, "communicationUserId"],
  ["getToken without scopes", "getToken", [user], TypeError, "scopes"],
  ["getToken with a string scope", "getToken", [user, "chat"], TypeError, "scopes"],
  ["getToken with non-object options", "getToken", [user, ["chat"], "fast"], TypeError, "options"],
  ["createUserAndToken without scopes", "createUserAndToken", [], TypeError, "scopes"],
  ["createUserAndToken with null options", "createUserAndToken", [["chat"], null], TypeError, "options"],
  ["createUser with non-object options", "createUser", [5], TypeError, "options"],
  ["createUser with a numeric customId", "createUser", [{ customId: 7 }], TypeError, "customId"],
  ["createUserAndToken with a function customId", "createUserAndToken", [["chat"], { customId: () => "x" }], TypeError, "customId"],
  ["createUserAndToken with NaN minutes", "createUserAndToken", [["chat"], { tokenExpiresInMinutes: NaN }], TypeError, "tokenExpiresInMinutes"],
  ["getToken with Infinity minutes", "getToken", [user, ["chat"], { tokenExpiresInMinutes: Infinity }], TypeError, "tokenExpiresInMinutes"],
  ["getToken with a string minutes", "getToken", [user, ["chat"], { tokenExpiresInMinutes: "60" }], TypeError, "tokenExpiresInMinutes"],
  ["getToken with an undefined scope", "getToken", [user, ["chat", undefined]], TypeError, "scopes[1]"],
  ["createUserAndToken with an object scope", "createUserAndToken", [[{}]], TypeError, "scopes[0]"],
  ["revokeTokens without user", "revokeTokens", [], TypeError, "user"],
  ["revokeTokens with {}", "revokeTokens", [{}], TypeError, "communicationUserId"],
  ["deleteUser without user", "deleteUser", [undefined], TypeError, "user"],
  ["deleteUser with an empty id", "deleteUser", [{ communicationUserId: "" }], RangeError, "communicationUserId"],
  ["getUser without user", "getUser", [], TypeError, "user"],
  ["getUserDetail with a numeric id", "getUserDetail", [{ communicationUserId: 1 }], TypeError, "communicationUserId"],
  ["getUser with non-object options", "getUser", [user, true], TypeError, "options"],
  ["getTokenForTeamsUser without options", "getTokenForTeamsUser", [], TypeError, "options"],
  ["getTokenForTeamsUser without teamsUserAadToken", "getTokenForTeamsUser", [{ ...teams, teamsUserAadToken: undefined }], TypeError, "teamsUserAadToken"],
  ["getTokenForTeamsUser without clientId", "getTokenForTeamsUser", [{ ...teams, clientId: undefined }], TypeError, "clientId"],
  ["getTokenForTeamsUser with an empty userObjectId", "getTokenForTeamsUser", [{ ...teams, userObjectId: "" }], RangeError, "userObjectId"],
];

describe("argument checks", () => {
  it.each(cases)("%s rejects (never throws synchronously) and sends nothing", async (_name, method, args, errorClass, text) => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient }) as unknown as AnyClient;
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = client[method](...args);
    }).not.toThrow();
    expect(promise).toBeInstanceOf(Promise);
    const error = await promise!.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toContain(text);
    expect(httpClient.requests).toHaveLength(0);
  });

  it("lets an empty scopes array through to the service (it answers 400)", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    await client.getToken(user, []);
    expect(httpClient.requests[0].body).toBe('{"scopes":[]}');
  });
});

describe("apiVersion", () => {
  const oldClient = () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    return { httpClient, client: new CommunicationIdentityClient(CONNECTION_STRING, { httpClient, apiVersion: "2023-10-01" }) };
  };

  it.each([
    ["getUser", (c: CommunicationIdentityClient) => c.getUser(user), "getUser"],
    ["getUserDetail", (c: CommunicationIdentityClient) => c.getUserDetail(user), "getUser"],
    ["createUser with customId", (c: CommunicationIdentityClient) => c.createUser({ customId: "x" }), "customId"],
    ["createUserAndToken with customId", (c: CommunicationIdentityClient) => c.createUserAndToken(["chat"], { customId: "x" }), "customId"],
  ])("%s on 2023-10-01 rejects before any request, naming the version needed", async (_name, call, subject) => {
    const { client, httpClient } = oldClient();
    const error = (await call(client).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain(subject);
    expect(error.message).toContain("2025-03-02-preview");
    expect(error.message).toContain("2023-10-01");
    expect(httpClient.requests).toHaveLength(0);
  });

  it("lets unknown api-versions call everything (the service decides)", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient, apiVersion: "2099-01-01" });
    await client.getUser(user);
    await client.createUser({ customId: "x" });
    expect(httpClient.requests.map((r) => r.url)).toEqual([
      expect.stringContaining("?api-version=2099-01-01"),
      expect.stringContaining("?api-version=2099-01-01"),
    ]);
  });
});
