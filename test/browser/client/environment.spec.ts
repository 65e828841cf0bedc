/** The client runs on browser primitives only: no Node globals, fetch for HTTP, Web Crypto for HMAC. */
import { CommunicationIdentityClient } from "../../../src/index.js";
import { describe, expect, inject, it, vi } from "vitest";
import { recordFetch } from "./recordFetch.js";

describe("the browser entry", () => {
  it("runs in a page with no Node shims (process, Buffer, global, require)", () => {
    const scope = globalThis as Record<string, unknown>;
    expect(scope.process).toBeUndefined();
    expect(scope.Buffer).toBeUndefined();
    expect(scope.global).toBeUndefined();
    expect(scope.require).toBeUndefined();
    expect(typeof CommunicationIdentityClient).toBe("function");
  });

  it("sends requests with the browser's fetch", async () => {
    const calls = recordFetch();
    const client = new CommunicationIdentityClient(inject("httpConnectionString"), { allowInsecureConnection: true });
    await client.createUser();
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(`${inject("httpEndpoint")}identities?api-version=2026-09-23`);
    expect(calls[0].method).toBe("POST");
  });

  it("signs with Web Crypto: HMAC-SHA256 via crypto.subtle, host left to the browser", async () => {
    const sign = vi.spyOn(crypto.subtle, "sign");
    const digest = vi.spyOn(crypto.subtle, "digest");
    try {
      const calls = recordFetch();
      const client = new CommunicationIdentityClient(inject("httpConnectionString"), { allowInsecureConnection: true });
      await client.createUserAndToken(["chat"]);
      const algorithmName = (algorithm: AlgorithmIdentifier) => (typeof algorithm === "string" ? algorithm : algorithm.name);
      expect(sign.mock.calls.map(([algorithm]) => algorithmName(algorithm))).toContain("HMAC");
      expect(digest.mock.calls.map(([algorithm]) => algorithmName(algorithm))).toContain("SHA-256");

      const headers = calls[0].headers;
      expect(headers.get("authorization")).toMatch(/^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=[A-Za-z0-9+/]+=*$/);
      expect(new Date(headers.get("x-ms-date")!).toUTCString()).toBe(headers.get("x-ms-date"));
      expect(headers.get("x-ms-content-sha256")).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      // Browsers forbid setting Host; it is signed all the same and the emulator accepted it.
      expect(headers.has("host")).toBe(false);
      // Browsers do not let scripts set User-Agent either: core sends x-ms-useragent.
      expect(headers.get("x-ms-useragent")).toMatch(/^azsdk-js-communication-identity\/\d+\.\d+\.\d+/);
    } finally {
      sign.mockRestore();
      digest.mockRestore();
    }
  });

  it("signs the exact bytes it sends: a non-ASCII customId is accepted", async () => {
    const client = new CommunicationIdentityClient(inject("httpConnectionString"), { allowInsecureConnection: true });
    const customId = `naïve-用户-${crypto.randomUUID()}`;
    const user = await client.createUser({ customId });
    expect((await client.getUser(user)).customId).toBe(customId);
  });
});
