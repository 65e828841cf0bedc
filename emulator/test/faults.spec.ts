import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type FaultRule, type IdentityEmulator } from "../src/index.js";
import { signedRequest } from "../../test/helpers/emulatorSigner.js";

const PREVIEW = "api-version=2025-03-02-preview";
let emulator: IdentityEmulator;
beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
});
afterEach(() => emulator.clearFaults());
afterAll(() => emulator.close());

const create = (body?: unknown) => signedRequest(emulator, "POST", `/identities?${PREVIEW}`, { body });
const userPath = (id: string) => `/identities/${encodeURIComponent(id)}`;
const getToken = (id: string) => signedRequest(emulator, "POST", `${userPath(id)}/:issueAccessToken?${PREVIEW}`, { body: { scopes: ["chat"] } });
const revoke = (id: string) => signedRequest(emulator, "POST", `${userPath(id)}/:revokeAccessTokens?${PREVIEW}`);
const getUser = (id: string) => signedRequest(emulator, "GET", `${userPath(id)}?${PREVIEW}`);
const deleteUser = (id: string) => signedRequest(emulator, "DELETE", `${userPath(id)}?${PREVIEW}`);

async function newUser(): Promise<string> {
  const res = await create();
  expect(res.status).toBe(201);
  return res.json.identity.id as string;
}

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

describe("fault rules match by route", () => {
  it("an exact path matches that path only: a create rule leaves getToken and revoke alone", async () => {
    const id = await newUser();
    emulator.injectFaults([{ match: { method: "POST", path: "/identities" }, times: 1, fault: { status: 503 } }]);
    expect((await getToken(id)).status).toBe(200);
    expect((await revoke(id)).status).toBe(204);
    expect((await create()).status).toBe(503);
    expect((await create()).status).toBe(201);
  });

  it("a route template matches that route for any id, and no other route", async () => {
    const [a, b] = [await newUser(), await newUser()];
    emulator.injectFaults([{ match: { method: "POST", path: "/identities/{id}/:issueAccessToken" }, times: 2, fault: { status: 500 } }]);
    expect((await revoke(a)).status).toBe(204);
    expect((await create()).status).toBe(201);
    expect((await getToken(a)).status).toBe(500);
    expect((await getToken(b)).status).toBe(500);
    expect((await getToken(a)).status).toBe(200);
  });

  it("a template without a method applies to every method of that route, whatever its parameter is called", async () => {
    const id = await newUser();
    emulator.injectFaults([{ match: { path: "/identities/{userId}" }, times: 2, fault: { status: 500 } }]);
    expect((await getToken(id)).status).toBe(200);
    expect((await getUser(id)).status).toBe(500);
    expect((await deleteUser(id)).status).toBe(500);
    expect((await deleteUser(id)).status).toBe(204);
  });

  it("an exact path is compared percent-decoded, with or without a trailing slash", async () => {
    const id = await newUser();
    emulator.injectFaults([
      { match: { method: "GET", path: `/identities/${id}` }, times: 1, fault: { status: 500 } },
      { match: { method: "POST", path: "/identities/" }, times: 1, fault: { status: 503 } },
    ]);
    expect((await getUser(id)).status).toBe(500);
    expect((await getUser(id)).status).toBe(200);
    expect((await create()).status).toBe(503);
  });

  it("matches method names in any case", async () => {
    emulator.injectFaults([{ match: { method: "post", path: "/identities" }, times: 1, fault: { status: 503 } }]);
    expect((await create()).status).toBe(503);
  });

  it("refuses a template that names no route and a path that is not one, saying why", () => {
    expect(() => emulator.injectFaults([{ match: { path: "/identities/{id}/:refresh" }, times: 1, fault: { status: 500 } }])).toThrow(
      /path template \/identities\/\{id\}\/:refresh is not a route/,
    );
    expect(() => emulator.injectFaults([{ match: { path: "identities" }, times: 1, fault: { status: 500 } }])).toThrow(/starting with '\/'/);
  });

  it("does what the emulator README's example says", async () => {
    // The example as printed in emulator/README.md, evaluated as written.
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const example = /emulator\.injectFaults\((\[[\s\S]*?\n\])\);/.exec(readme);
    expect(example, "the README shows an injectFaults example").not.toBeNull();
    const rules = new Function(`return ${example![1]};`)() as FaultRule[];
    emulator.injectFaults(rules);
    for (let attempt = 0; attempt < 2; attempt++) {
      const created = await create();
      expect(created.status, "the next two creates answer 503").toBe(503);
      expect(created.headers["retry-after"]).toBe("1");
    }
    const user = await newUser(); // the third create goes through
    expect((await revoke(user)).status, "revoke is not a create").toBe(204);
    await expect(getToken(user), "the next getToken loses its connection").rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE|socket hang up/) });
    expect((await getToken(user)).status).toBe(200);
  });
});

