/** HTTP, argument and network failures reach browser code as they reach Node code. */
import { RestError } from "@azure/core-rest-pipeline";
import { CommunicationIdentityClient } from "../../../src/index.js";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { rejectionOf } from "../../helpers/rejectionOf.js";
import { errorCases, observeRestError, runErrorCase, type ErrorCase } from "../providedContext.js";
import { recordFetch } from "./recordFetch.js";

let client: CommunicationIdentityClient;
beforeAll(() => {
  client = new CommunicationIdentityClient(inject("httpConnectionString"), { allowInsecureConnection: true });
});

/** The same calls globalSetup made with the Node client. */
function runCase(errorCase: ErrorCase): Promise<unknown> {
  return runErrorCase(client, inject("resourceId"), errorCase);
}

describe("HTTP errors", () => {
  it.each(errorCases)("%s: a RestError with the same fields as in Node", async (errorCase) => {
    const error = await rejectionOf(runCase(errorCase));
    expect(error).toBeInstanceOf(RestError);
    const expected = inject("nodeErrors")[errorCase];
    expect(expected.statusCode).toBeGreaterThanOrEqual(400);
    expect(observeRestError(error)).toEqual(expected);
  });

  it("keeps the access key out of the error", async () => {
    const key = /accesskey=([^;]+)/i.exec(inject("httpConnectionString"))![1];
    const error = await rejectionOf(runCase("missingIdentity"));
    expect(JSON.stringify(observeRestError(error))).not.toContain(key);
    expect(String(error)).not.toContain(key);
  });
});

describe("argument errors", () => {
  it("reject before any request, naming the argument", async () => {
    const calls = recordFetch();
    await expect(client.getToken(undefined as never, ["chat"])).rejects.toThrow(/user/);
    await expect(client.deleteUser({ communicationUserId: "" })).rejects.toThrow(/communicationUserId/);
    await expect(client.getTokenForTeamsUser({ teamsUserAadToken: "t", clientId: "", userObjectId: "u" })).rejects.toThrow(/clientId/);
    expect(calls).toHaveLength(0);
  });
});

describe("network errors", () => {
  it("reject with a RestError coded REQUEST_SEND_ERROR when nothing answers", async () => {
    // Port 1 is refused (and on Chromium's blocked-port list): fetch fails without a response.
    const offline = new CommunicationIdentityClient("endpoint=http://127.0.0.1:1/;accesskey=a2V5", {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
    const error = await rejectionOf(offline.createUser());
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ code: "REQUEST_SEND_ERROR" });
    expect(String((error as Error).message)).not.toContain("a2V5");
  });
});
