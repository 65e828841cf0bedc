/**
 * Entra ID (bearer) auth from a browser against the emulator's HTTPS endpoint. Chromium trusts the
 * emulator's certificate by SPKI pin (vitest.config.ts); the token was minted in Node by globalSetup.
 */
import type { TokenCredential } from "@azure/core-auth";
import { CommunicationIdentityClient } from "../../../src/index.js";
import { describe, expect, inject, it } from "vitest";
import { recordFetch } from "./recordFetch.js";

function staticCredential(scopesSeen: string[]): TokenCredential {
  const { token, expiresOnTimestamp } = inject("bearerToken");
  return {
    async getToken(scopes) {
      scopesSeen.push(...(Array.isArray(scopes) ? scopes : [scopes]));
      return { token, expiresOnTimestamp };
    },
  };
}

describe("bearer auth over https", () => {
  it("runs the user and token methods with a token credential", async () => {
    const scopes: string[] = [];
    const calls = recordFetch();
    const client = new CommunicationIdentityClient(inject("httpsEndpoint"), staticCredential(scopes));
    const { user, token } = await client.createUserAndToken(["voip"]);
    expect(token.split(".")).toHaveLength(3);
    expect((await client.getToken(user, ["chat"])).token.split(".")).toHaveLength(3);
    expect((await client.getUser(user)).user).toEqual(user);
    await client.revokeTokens(user);
    await client.deleteUser(user);

    expect(scopes[0]).toBe("https://communication.azure.com//.default");
    expect(calls.length).toBe(5);
    for (const call of calls) {
      expect(call.url.startsWith("https://127.0.0.1:")).toBe(true);
      expect(call.headers.get("authorization")).toBe(`Bearer ${inject("bearerToken").token}`);
    }
  });

  it("a token the emulator did not mint is refused with 401", async () => {
    const forged: TokenCredential = { getToken: async () => ({ token: "e30.e30.c2ln", expiresOnTimestamp: Date.now() + 600_000 }) };
    const client = new CommunicationIdentityClient(inject("httpsEndpoint"), forged);
    await expect(client.createUser()).rejects.toMatchObject({ name: "RestError", statusCode: 401 });
  });

  it("is refused over http, before any request", async () => {
    const calls = recordFetch();
    const client = new CommunicationIdentityClient(inject("httpEndpoint"), staticCredential([]), { allowInsecureConnection: true });
    await expect(client.createUser()).rejects.toThrow(/https|TLS/i);
    expect(calls).toHaveLength(0);
  });
});
