import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { communicationScope, createAuthPolicy } from "../../src/credentials/createAuthPolicy.js";
import { isKeyCredential, isTokenCredential } from "../../src/credentials/credentialKinds.js";
import { hmacAuthPolicyName } from "../../src/credentials/hmacAuthPolicy.js";
import { CommunicationIdentityClient } from "../../src/index.js";
import { createFakeHttpClient, serviceAnswer } from "../client/fakeHttpClient.js";

class FakeTokenCredential implements TokenCredential {
  readonly scopes: Array<string | string[]> = [];
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(scopes);
    return { token: "entra-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

describe("credential classification", () => {
  it.each([
    [{ key: "abc" }, true, false],
    [{ key: "abc", getToken: () => undefined }, false, true],
    [new FakeTokenCredential(), false, true],
    [{ key: 5 }, false, false],
    [{ retryOptions: {} }, false, false],
    [undefined, false, false],
    [null, false, false],
    ["key", false, false],
  ])("%o → key %s, token %s", (value, key, token) => {
    expect(isKeyCredential(value)).toBe(key);
    expect(isTokenCredential(value)).toBe(token);
  });
});

describe("createAuthPolicy", () => {
  it("chooses HMAC for a key", () => {
    expect(createAuthPolicy({ key: "abc" }).name).toBe(hmacAuthPolicyName);
  });

  it("chooses the bearer policy (core's name) for a token credential", () => {
    expect(createAuthPolicy(new FakeTokenCredential()).name).toBe("bearerTokenAuthenticationPolicy");
  });

  it("uses the real scope string, with its double slash", () => {
    expect(communicationScope).toBe("https://communication.azure.com//.default");
  });
});

describe("token credential in the client", () => {
  it("asks for the communication scope and sends Authorization: Bearer over https", async () => {
    const credential = new FakeTokenCredential();
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient("https://contoso.communication.azure.com", credential, { httpClient });
    await client.createUser();
    expect(credential.scopes.flat()).toEqual(["https://communication.azure.com//.default"]);
    expect(httpClient.requests[0].headers["authorization"]).toBe("Bearer entra-token");
    expect(httpClient.requests[0].headers["x-ms-date"]).toBeUndefined();
  });

  it("refuses http endpoints even with allowInsecureConnection", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient("http://127.0.0.1:4000", new FakeTokenCredential(), {
      httpClient,
      allowInsecureConnection: true,
    });
    await expect(client.createUser()).rejects.toThrow(/non-TLS|https/i);
    expect(httpClient.requests).toHaveLength(0);
  });
});
