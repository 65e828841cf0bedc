import { RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { rejectionOf } from "../helpers/rejectionOf.js";
import { closedPort } from "../transport/testServers.js";
import { ACCESS_KEY, CONNECTION_STRING, createFakeHttpClient, USER_ID, type FakeAnswer } from "./fakeHttpClient.js";

const user = { communicationUserId: USER_ID };

async function failure(answer: FakeAnswer, call: (c: CommunicationIdentityClient) => Promise<unknown> = (c) => c.getToken(user, ["chat"])): Promise<RestError> {
  const httpClient = createFakeHttpClient(() => answer);
  const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient, retryOptions: { maxRetries: 0 } });
  const error = await rejectionOf(call(client));
  expect(error).toBeInstanceOf(RestError);
  return error as RestError;
}

describe("errors", () => {
  it("400 with the JSON envelope: code, message, details and response", async () => {
    const body = { error: { code: "ValidationError", message: "Invalid scopes - Scopes field is required.", target: "scopes" } };
    const error = await failure({ status: 400, body });
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("ValidationError");
    expect(error.message).toBe("Invalid scopes - Scopes field is required.");
    expect(error.details).toEqual(body);
    expect(error.response?.status).toBe(400);
    expect(error.response?.bodyAsText).toBe(JSON.stringify(body));
    expect((error.response as { parsedBody?: unknown }).parsedBody).toEqual(body);
  });

  it("renames innererror to innerError in details", async () => {
    const body = { error: { code: "Outer", message: "outer", innererror: { code: "Inner", message: "inner", innererror: { code: "Deepest", message: "d" } } } };
    const error = await failure({ status: 500, body });
    expect(error.details).toEqual({
      error: { code: "Outer", message: "outer", innerError: { code: "Inner", message: "inner", innerError: { code: "Deepest", message: "d" } } },
    });
    expect(JSON.stringify(error.details)).not.toContain("innererror");
  });

  it("401 with an empty body has a useful message, not {}", async () => {
    const error = await failure({ status: 401 });
    expect(error.statusCode).toBe(401);
    expect(error.message).toBe("Service returned 401 Unauthorized with an empty body");
    expect(error.message).not.toBe("{}");
  });

  it("404 with a text body uses the text as message", async () => {
    const error = await failure({ status: 404, body: "Provided identity doesn't exist." }, (c) => c.deleteUser(user));
    expect(error.statusCode).toBe(404);
    expect(error.message).toBe("Provided identity doesn't exist.");
    expect(error.code).toBeUndefined();
  });

  it("502 with an HTML body keeps the HTML as message and status", async () => {
    const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    const error = await failure({ status: 502, body: html, headers: { "content-type": "text/html" } });
    expect(error.statusCode).toBe(502);
    expect(error.message).toBe(html);
  });

  it("malformed JSON on 201 is a PARSE_ERROR", async () => {
    const error = await failure({ status: 201, body: '{"identity":' }, (c) => c.createUser());
    expect(error.code).toBe("PARSE_ERROR");
    expect(error.statusCode).toBe(201);
  });

  it("an empty body on 200 where a token is expected is a PARSE_ERROR", async () => {
    const error = await failure({ status: 200, body: "" });
    expect(error.code).toBe("PARSE_ERROR");
  });

  it("200 where 201 is expected is an error, even though it is 2xx", async () => {
    const error = await failure({ status: 200, body: { identity: { id: USER_ID } } }, (c) => c.createUser());
    expect(error.statusCode).toBe(200);
    expect(error.message).toBe("Service returned 200 where 201 was expected");
  });

  it("200 where 204 is expected is an error", async () => {
    const error = await failure({ status: 200 }, (c) => c.revokeTokens(user));
    expect(error.statusCode).toBe(200);
    expect(error.message).toContain("204");
  });

  it.each([
    ["details that is a string", { code: "Bad", message: "bad", details: "x" }],
    ["details holding null", { code: "Bad", message: "bad", details: [null] }],
    ["innererror that is a number", { code: "Bad", message: "bad", innererror: 5 }],
  ])("an error envelope with %s still gives the envelope's code and message", async (_name, envelope) => {
    const error = await failure({ status: 400, body: { error: envelope } });
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("Bad");
    expect(error.message).toBe("bad");
    expect(error.details).toMatchObject({ error: { code: "Bad", message: "bad" } });
  });

  it.each([
    ["error is a string", { error: "boom" }, undefined, "boom"],
    ["code and message are not strings", { error: { code: 5, message: ["m"] } }, undefined, '{"error":{"code":5,"message":["m"]}}'],
    ["the body is an array", [1, 2], undefined, "[1,2]"],
    ["the body is JSON null", null, undefined, "null"],
    ["a gateway sends a flat { statusCode, message }", { statusCode: 409, message: "Conflict at the gateway" }, undefined, "Conflict at the gateway"],
    ["a gateway sends a flat { code, message }", { code: "Busy", message: "try later" }, "Busy", "try later"],
    ["error is null", { error: null, message: "ignored" }, undefined, '{"error":null,"message":"ignored"}'],
  ])("an error envelope where %s gives the best code and message available", async (_name, body, code, message) => {
    const error = await failure({ status: 409, body: JSON.stringify(body) });
    expect(error.statusCode).toBe(409);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it.each([
    ["a 201 without accessToken", (c: CommunicationIdentityClient) => c.createUserAndToken(["chat"]), 201, { identity: { id: USER_ID } }, "accessToken"],
    ["a 201 without identity", (c: CommunicationIdentityClient) => c.createUser(), 201, {}, "identity"],
    ["an identity id that is a number", (c: CommunicationIdentityClient) => c.createUser(), 201, { identity: { id: 5 } }, "identity.id"],
    ["a non-string expiresOn", (c: CommunicationIdentityClient) => c.getToken(user, ["chat"]), 200, { token: "t", expiresOn: 5 }, "expiresOn"],
    ["an expiresOn that is no date", (c: CommunicationIdentityClient) => c.getToken(user, ["chat"]), 200, { token: "t", expiresOn: "tomorrow" }, "expiresOn"],
    ["a token that is an object", (c: CommunicationIdentityClient) => c.getToken(user, ["chat"]), 200, { token: {}, expiresOn: "2025-04-18T14:46:09Z" }, "token"],
    ["a lastTokenIssuedAt that is a boolean", (c: CommunicationIdentityClient) => c.getUser(user), 200, { id: USER_ID, lastTokenIssuedAt: true }, "lastTokenIssuedAt"],
    ["a body that is an array", (c: CommunicationIdentityClient) => c.getToken(user, ["chat"]), 200, [], "the body"],
  ])("%s is a PARSE_ERROR naming the field, with the status and response attached", async (_name, call, status, body, field) => {
    const error = await failure({ status, body: JSON.stringify(body) }, call);
    expect(error.name).toBe("RestError");
    expect(error.code).toBe("PARSE_ERROR");
    expect(error.statusCode).toBe(status);
    expect(error.response?.status).toBe(status);
    expect(error.response?.bodyAsText).toBe(JSON.stringify(body));
    expect(error.message).toContain(`Service returned ${status} with an answer the client cannot read: `);
    expect(error.message).toContain(field);
  });

  it("a PARSE_ERROR never quotes the answer (it may carry a token)", async () => {
    const error = await failure({ status: 200, body: '{"token":"eyJsecret-token-value' });
    expect(error.code).toBe("PARSE_ERROR");
    expect(error.message).not.toContain("secret-token-value");
  });

  it("a network failure is a RestError with the errno code", async () => {
    const port = await closedPort();
    const client = new CommunicationIdentityClient(`endpoint=http://127.0.0.1:${port};accesskey=${ACCESS_KEY}`, {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
    const error = (await client.createUser().catch((e: unknown) => e)) as RestError;
    expect(error).toBeInstanceOf(RestError);
    expect(error.code).toBe("ECONNREFUSED");
  });

  it("never puts the access key in an error", async () => {
    const error = await failure({ status: 401, body: { error: { code: "Denied", message: "denied" } } });
    const shown = [error.message, error.stack ?? "", JSON.stringify(error), String(error)].join("\n");
    expect(shown).not.toContain(ACCESS_KEY);
  });
});
