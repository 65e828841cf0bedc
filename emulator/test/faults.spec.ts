import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { signedRequest } from "../../test/helpers/emulatorSigner.js";

const PREVIEW = "api-version=2025-03-02-preview";
let emulator: IdentityEmulator;
beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
});
afterEach(() => emulator.clearFaults());
afterAll(() => emulator.close());

const create = (body?: unknown) => signedRequest(emulator, "POST", `/identities?${PREVIEW}`, { body });

describe("injectFaults", () => {
  it("answers the next N matching requests with a status and Retry-After, then recovers", async () => {
    emulator.injectFaults([{ match: { method: "POST", path: "/identities" }, times: 2, fault: { status: 503, retryAfterSeconds: 3 } }]);
    const first = await create();
    const second = await create();
    const third = await create();
    expect([first.status, second.status, third.status]).toEqual([503, 503, 201]);
    expect(first.headers["retry-after"]).toBe("3");
    expect(first.json.error.code).toBe("InjectedFault");
  });

  it("applies before the auth check and sends a custom body", async () => {
    emulator.injectFaults([{ times: 1, fault: { status: 429, body: { error: { code: "TooManyRequests", message: "slow down" } } } }]);
    const res = await signedRequest(emulator, "POST", `/identities?${PREVIEW}`, { accessKey: Buffer.alloc(32).toString("base64") });
    expect(res.status).toBe(429);
    expect(res.json).toEqual({ error: { code: "TooManyRequests", message: "slow down" } });
  });

  it("matches by method and by RegExp path only", async () => {
    emulator.injectFaults([{ match: { method: "DELETE", path: /^\/identities\/.+/ }, times: 1, fault: { status: 500 } }]);
    const created = await create();
    expect(created.status).toBe(201);
    const id = encodeURIComponent(created.json.identity.id);
    expect((await signedRequest(emulator, "DELETE", `/identities/${id}?${PREVIEW}`)).status).toBe(500);
    expect((await signedRequest(emulator, "DELETE", `/identities/${id}?${PREVIEW}`)).status).toBe(204);
  });

  it("resets the connection", async () => {
    emulator.injectFaults([{ times: 1, fault: { reset: true } }]);
    await expect(create()).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE|socket hang up/) });
    expect((await create()).status).toBe(201);
  });

  it("stalls for a delay and then answers normally", async () => {
    emulator.injectFaults([{ times: 1, fault: { delayMs: 300 } }]);
    const started = Date.now();
    const res = await create();
    expect(res.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("drops the response after handling: the create happened although the client saw no answer", async () => {
    emulator.injectFaults([{ match: { path: "/identities" }, times: 1, fault: { dropResponseAfterHandling: true } }]);
    await expect(create({ customId: "dropped" })).rejects.toBeInstanceOf(Error);
    const again = await create({ customId: "dropped" });
    expect(again.status).toBe(201);
    const got = await signedRequest(emulator, "GET", `/identities/${encodeURIComponent(again.json.identity.id)}?${PREVIEW}`);
    expect(got.json.customId).toBe("dropped");
  });

  it("clearFaults removes pending faults; bad rules are refused", async () => {
    emulator.injectFaults([{ times: 5, fault: { status: 500 } }]);
    emulator.clearFaults();
    expect((await create()).status).toBe(201);
    expect(() => emulator.injectFaults([{ times: 0, fault: { status: 500 } }])).toThrow(TypeError);
  });
});
