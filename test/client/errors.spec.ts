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
