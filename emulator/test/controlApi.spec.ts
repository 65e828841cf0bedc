/**
 * The control API under /_emulator/, driven as curl or another language would (plain HTTP, JSON), and the
 * in-process methods that mirror it.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { IncomingMessage } from "node:http";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { controlAccessRefusal } from "../src/controlApi.js";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { RequestLog } from "../src/requestLog.js";
import { accessKeyOf, hmacHeaders, rawRequest, signedRequest, verifyToken } from "../../test/helpers/emulatorSigner.js";

const API = "api-version=2025-03-02-preview";
let emulator: IdentityEmulator;

beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
});
afterAll(() => emulator.close());
afterEach(async () => {
  await emulator.reset();
});

/** A control API call with no credentials, JSON in and out. */
function control(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return rawRequest(`${emulator.endpoint}_emulator/${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const createUser = async (body?: unknown) => (await signedRequest(emulator, "POST", `/identities?${API}`, { body })).json;

describe("GET /_emulator/identities", () => {
  it("lists identities with creation time, tokens issued and revoked, and deleted ones", async () => {
    const before = Date.now();
    const plain = (await createUser()).identity.id as string;
    const named = (await createUser({ customId: "alice", createTokenWithScopes: ["chat"] })).identity.id as string;
    const gone = (await createUser()).identity.id as string;
    expect((await signedRequest(emulator, "POST", `/identities/${encodeURIComponent(named)}/:revokeAccessTokens?${API}`)).status).toBe(204);
    expect((await signedRequest(emulator, "DELETE", `/identities/${encodeURIComponent(gone)}?${API}`)).status).toBe(204);

    const res = await control("GET", "identities");
    expect(res.status).toBe(200);
    const byId = new Map((res.json.value as Array<{ id: string; createdAt?: string }>).map((identity) => [identity.id, identity]));
    expect(res.json.value).toHaveLength(3);
    expect(byId.get(plain)).toEqual({ id: plain, createdAt: expect.any(String), tokensIssued: 0, deleted: false });
    expect(byId.get(named)).toMatchObject({ customId: "alice", tokensIssued: 1, deleted: false, lastTokenIssuedAt: expect.any(String), tokensRevokedAt: expect.any(String) });
    expect(byId.get(gone)).toMatchObject({ deleted: true, deletedAt: expect.any(String) });
    const created = Date.parse(byId.get(plain)!.createdAt!);
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(emulator.identities()).toEqual(res.json.value);
  });
});

describe("GET /_emulator/assignments", () => {
  it("lists the access assignments by kind; a reset removes them", async () => {
    const objectId = "9b3c1a2e-0000-4000-8000-000000000001";
    const tenantId = "7e1c1a2e-0000-4000-8000-000000000002";
    const entra = { tenantId, principalType: "user", clientIds: ["2c3e1e83-8fd7-4615-ad2b-b8c1229845ac"] };
    expect((await signedRequest(emulator, "PUT", `/access/entra/assignments/${objectId}?${API}`, { body: entra })).status).toBe(201);
    const teams = { principalType: "user" };
    const teamsPath = `/access/teamsExtension/tenants/${tenantId}/assignments/${objectId}?api-version=2025-06-30`;
    expect((await signedRequest(emulator, "PUT", teamsPath, { body: teams })).status).toBe(201);

    const res = await control("GET", "assignments");
    expect(res.json).toEqual({
      teamsExtension: [{ objectId, tenantId, principalType: "user" }],
      entra: [{ objectId, ...entra }],
    });
    expect(emulator.assignments()).toEqual(res.json);

    await control("POST", "reset");
    expect((await control("GET", "assignments")).json).toEqual({ teamsExtension: [], entra: [] });
    expect((await signedRequest(emulator, "GET", `/access/entra/assignments/${objectId}?${API}`)).status).toBe(404);
  });
});

describe("POST /_emulator/reset", () => {
  it("forgets identities and faults; the connection string keeps working", async () => {
    const id = (await createUser()).identity.id as string;
    expect((await control("POST", "faults", { match: { method: "GET" }, times: 5, fault: { status: 503 } })).status).toBe(201);
    expect((await control("POST", "reset")).status).toBe(204);
    expect((await control("GET", "identities")).json).toEqual({ value: [] });
    expect((await control("GET", "faults")).json).toEqual({ value: [] });
    expect((await signedRequest(emulator, "GET", `/identities/${encodeURIComponent(id)}?${API}`)).status).toBe(404);
    expect((await signedRequest(emulator, "POST", `/identities?${API}`)).status).toBe(201);
  });
});

describe("reset with durable state", () => {
  it("is kept across a restart on the same location, and what comes after it too", async () => {
    const location = mkdtempSync(path.join(tmpdir(), "control-reset-"));
    try {
      const durable = await startIdentityEmulator({ port: 0, location });
      await signedRequest(durable, "POST", `/identities?${API}`, { body: { customId: "before-reset" } });
      await durable.reset();
      const after = (await signedRequest(durable, "POST", `/identities?${API}`, { body: { customId: "after-reset" } })).json.identity.id;
      await durable.close();

      const reopened = await startIdentityEmulator({ port: 0, location });
      try {
        expect(reopened.identities().map(({ id, customId }) => ({ id, customId }))).toEqual([{ id: after, customId: "after-reset" }]);
        expect(reopened.identities()[0].createdAt).toEqual(expect.any(String));
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(location, { recursive: true, force: true });
    }
  });
});

describe("/_emulator/faults", () => {
  it("adds a rule (the injectFaults shape), lists what is left, and clears", async () => {
    const rule = { match: { method: "POST", path: "/identities" }, times: 2, fault: { status: 503, retryAfterSeconds: 1 } };
    const added = await control("POST", "faults", rule);
    expect(added.status).toBe(201);
    expect(added.json.value).toEqual([rule]);

    const failed = await signedRequest(emulator, "POST", `/identities?${API}`);
    expect(failed.status).toBe(503);
    expect(failed.headers["retry-after"]).toBe("1");
    expect((await control("GET", "faults")).json.value).toEqual([{ ...rule, times: 1 }]);

    expect((await control("DELETE", "faults")).status).toBe(204);
    expect((await control("GET", "faults")).json.value).toEqual([]);
    expect((await signedRequest(emulator, "POST", `/identities?${API}`)).status).toBe(201);
  });

  it("is not itself hit by a catch-all fault, so it can always clear one", async () => {
    await control("POST", "faults", { times: 100, fault: { status: 500 } });
    expect((await control("GET", "faults")).status).toBe(200);
    expect((await control("DELETE", "faults")).status).toBe(204);
    expect((await signedRequest(emulator, "POST", `/identities?${API}`)).status).toBe(201);
  });

  it.each([
    [{ fault: { status: 503 } }, "times"],
    [{ times: 0, fault: { status: 503 } }, "times"],
    [{ times: 1 }, "fault"],
    [{ times: 1, fault: { status: 503, reset: true } }, "fault"],
    [{ times: 1, fault: { status: 42 } }, "fault.status"],
    [{ times: 1, fault: { reset: "yes" } }, "fault.reset"],
    [{ times: 1, match: { path: 5 }, fault: { reset: true } }, "match.path"],
  ])("refuses %j naming the field", async (rule, field) => {
    const res = await control("POST", "faults", rule);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "ValidationError", target: field });
    expect((await control("GET", "faults")).json.value).toEqual([]);
  });
});

describe("POST /_emulator/teams-user-tokens", () => {
  it("mints a Teams user's Entra token that the Teams exchange accepts", async () => {
    const appId = "11111111-2222-3333-4444-555555555555";
    const userObjectId = "66666666-7777-8888-9999-000000000000";
    const res = await control("POST", "teams-user-tokens", { appId, userObjectId, tenantId: "contoso", expiresInMinutes: 30 });
    expect(res.status).toBe(200);
    expect(Date.parse(res.json.expiresOn) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(Date.parse(res.json.expiresOn) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    const claims = JSON.parse(Buffer.from(res.json.token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ appid: appId, oid: userObjectId, tid: "contoso" });

    const exchanged = await signedRequest(emulator, "POST", `/teamsUser/:exchangeAccessToken?${API}`, { body: { token: res.json.token, appId, userId: userObjectId } });
    expect(exchanged.status).toBe(200);
    expect(await verifyToken(emulator, exchanged.json.token)).toMatchObject({ valid: true, identity: `8:orgid:${userObjectId}` });
  });

  it("names a missing field", async () => {
    const res = await control("POST", "teams-user-tokens", { appId: "a" });
    expect(res.json.error).toMatchObject({ code: "ValidationError", target: "userObjectId" });
  });
});

describe("POST /_emulator/entra-tokens", () => {
  it("mints a bearer token for the identity API from the management scope", async () => {
    const res = await control("POST", "entra-tokens", {
      tenantId: "t1",
      objectId: "o1",
      appId: "a1",
      scopes: ["https://communication.azure.com//.default"],
      expiresInMinutes: 10,
    });
    expect(res.status).toBe(200);
    expect(Date.parse(res.json.expiresOn)).toBeGreaterThan(Date.now() + 9 * 60_000);
    const created = await rawRequest(`${emulator.endpoint}identities?${API}`, { method: "POST", headers: { authorization: `Bearer ${res.json.token}` } });
    expect(created.status).toBe(201);
  });

  it("names the field that is wrong", async () => {
    const res = await control("POST", "entra-tokens", { tenantId: "t1", objectId: "o1", appId: "a1", scopes: ["https://example.com/.default"] });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "ValidationError", target: "scopes" });
  });
});

describe("/_emulator/clock", () => {
  it("moves the emulator's clock: a token valid now is expired two hours later", async () => {
    const { accessToken } = await createUser({ createTokenWithScopes: ["chat"], expiresInMinutes: 60 });
    expect(await verifyToken(emulator, accessToken.token)).toMatchObject({ valid: true });

    const moved = await control("POST", "clock", { offsetSeconds: 7200 });
    expect(moved.json.offsetSeconds).toBe(7200);
    expect(Date.parse(moved.json.now) - Date.now()).toBeGreaterThan(7190_000);
    expect(await verifyToken(emulator, accessToken.token)).toMatchObject({ valid: false, reason: "expired" });
    expect((await control("GET", "clock")).json.offsetSeconds).toBe(7200);

    await control("POST", "clock", { offsetSeconds: 0 });
    expect(await verifyToken(emulator, accessToken.token)).toMatchObject({ valid: true });
  });

  it("refuses an offset that is not a number", async () => {
    expect((await control("POST", "clock", { offsetSeconds: "1h" })).json.error).toMatchObject({ target: "offsetSeconds" });
  });
});

describe("GET /_emulator/requests", () => {
  it("lists recent requests with method, path, api-version and status, after a given sequence number", async () => {
    const { value: before } = (await control("GET", "requests")).json;
    const last = before.at(-1)?.seq ?? 0;
    await signedRequest(emulator, "POST", `/identities?${API}`);
    await rawRequest(`${emulator.endpoint}identities?api-version=2023-10-01`, { method: "POST" });

    const res = await control("GET", `requests?after=${last}`);
    expect(res.json.value.map((e: Record<string, unknown>) => [e.method, e.path, e.apiVersion, e.status])).toEqual([
      ["POST", "/identities", "2025-03-02-preview", 201],
      ["POST", "/identities", "2023-10-01", 401],
    ]);
    expect(res.json.value[1].explanation).toMatchObject({ code: "MissingHeader", header: "authorization" });
    // The control API's own reads (what the inspector polls) stay out of the log.
    expect(res.json.value.some((e: { path: string }) => e.path.startsWith("/_emulator/"))).toBe(false);
    expect(emulator.requests({ after: last })).toEqual(res.json.value);
  });

  it("records a dropped connection as status 0 with the fault", async () => {
    await control("POST", "faults", { match: { method: "POST", path: "/identities" }, times: 1, fault: { reset: true } });
    await expect(signedRequest(emulator, "POST", `/identities?${API}`)).rejects.toThrow();
    await expect.poll(() => emulator.requests().at(-1)).toMatchObject({ path: "/identities", status: 0, fault: "connection reset" });
  });
});

describe("POST /_emulator/tokens:verify", () => {
  it("gives the verdict on a token", async () => {
    const { accessToken, identity } = await createUser({ createTokenWithScopes: ["voip"] });
    const res = await control("POST", "tokens:verify", { token: accessToken.token });
    expect(res.json).toMatchObject({ valid: true, identity: identity.id, scopes: ["voip"] });
  });

  it("is the control API's: no api-version, untouched by a catch-all fault, credentials off loopback", async () => {
    const { accessToken } = await createUser({ createTokenWithScopes: ["chat"] });
    emulator.injectFaults([{ times: 1, fault: { status: 503 } }]);
    try {
      const res = await control("POST", "tokens:verify", { token: accessToken.token });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ valid: true, scopes: ["chat"] });
      const port = new URL(emulator.endpoint).port;
      const remote = await control("POST", "tokens:verify", { token: accessToken.token }, { host: `emulator.example:${port}` });
      expect(remote.status).toBe(401);
      expect(remote.json.error.innererror).toMatchObject({ code: "ControlApiNeedsCredentials" });
    } finally {
      emulator.clearFaults();
    }
  });
});

describe("access", () => {
  it("needs credentials for a host name that is not loopback (DNS rebinding), and accepts the request HMAC-signed", async () => {
    const port = new URL(emulator.endpoint).port;
    const res = await control("GET", "identities", undefined, { host: `emulator.example:${port}` });
    expect(res.status).toBe(401);
    expect(res.json.error.innererror).toMatchObject({ code: "ControlApiNeedsCredentials" });

    // Signed as curl would from another machine, for the Host it sent.
    const url = `http://emulator.example:${port}/_emulator/identities`;
    const headers = hmacHeaders({ method: "GET", url, accessKey: accessKeyOf(emulator.connectionString) });
    const signed = await rawRequest(`${emulator.endpoint}_emulator/identities`, { headers: { ...headers, host: `emulator.example:${port}` } });
    expect(signed.status).toBe(200);

    const wrongKey = hmacHeaders({ method: "GET", url, accessKey: Buffer.alloc(32, 1).toString("base64") });
    const refused = await rawRequest(`${emulator.endpoint}_emulator/identities`, { headers: { ...wrongKey, host: `emulator.example:${port}` } });
    expect(refused.status).toBe(401);
    expect(refused.json.error.innererror).toMatchObject({ code: "SignatureMismatch" });
  });

  it("needs credentials for a request from a web page of another origin", async () => {
    const res = await control("POST", "reset", undefined, { origin: "https://some-site.example" });
    expect(res.status).toBe(401);
    expect(res.json.error.innererror.message).toContain("another origin");
    expect((await control("GET", "identities", undefined, { origin: emulator.endpoint.replace(/\/$/, "") })).status).toBe(200);
  });

  it("answers loopback callers only without credentials", () => {
    const req = (remoteAddress: string, host = "127.0.0.1:8088") => ({ socket: { remoteAddress }, headers: { host } }) as unknown as IncomingMessage;
    expect(controlAccessRefusal(req("127.0.0.1"))).toBeUndefined();
    expect(controlAccessRefusal(req("::1", "[::1]:8088"))).toBeUndefined();
    expect(controlAccessRefusal(req("::ffff:127.0.0.1", "localhost:8088"))).toBeUndefined();
    expect(controlAccessRefusal(req("10.1.2.3", "10.0.0.2:8088"))).toContain("10.1.2.3");
    expect(controlAccessRefusal(req("172.17.0.1", "127.0.0.1:8088"))).toContain("172.17.0.1");
  });
});

describe("the inspector's entry points", () => {
  it("serves the page at /_emulator/, and a browser opening / is sent there", async () => {
    const page = await rawRequest(`${emulator.endpoint}_emulator/`);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.text).toContain('<script src="/_emulator/inspector.js"');
    expect(page.text).not.toMatch(/https?:\/\//);

    const browser = await rawRequest(emulator.endpoint, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe("/_emulator/");
    const api = await rawRequest(emulator.endpoint, { headers: { accept: "application/json" } });
    expect(api.status).toBe(404);
  });

  it("serves its script and stylesheet, with nothing loaded from elsewhere", async () => {
    const script = await rawRequest(`${emulator.endpoint}_emulator/inspector.js`);
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(script.text).toContain("/_emulator/requests");
    expect(script.text).not.toContain("innerHTML");
    const css = await rawRequest(`${emulator.endpoint}_emulator/inspector.css`);
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect(`${script.text}${css.text}`).not.toMatch(/https?:\/\/|@import/);
  });
});

describe("the README's curl recipes", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## The control API and the inspector"), readme.indexOf("## Other languages"));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
  const tools = ["bash", "curl", "openssl"].every((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0);
  // Asynchronous: the emulator answering the script runs in this process.
  const sh = async (script: string, env: Record<string, string>) =>
    (await promisify(execFile)("bash", ["-c", script], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 15_000 })).stdout;

  it("are there: the control API's calls, then signing with the access key", () => {
    expect(blocks).toHaveLength(2);
    for (const path of ["identities", "assignments", "requests", "reset", "faults", "teams-user-tokens", "entra-tokens", "clock", "tokens:verify"]) {
      expect(blocks[0]).toContain(`/_emulator/${path}`);
    }
  });

  it.skipIf(!tools)("run as written: list, reset, faults, tokens, clock, verify", async () => {
    await createUser({ customId: "from-the-readme" });
    const out = await sh(blocks[0], { E: emulator.endpoint.replace(/\/$/, "") });
    expect(out).toContain('"customId":"from-the-readme"');
    expect(out).toContain('{"teamsExtension":[],"entra":[]}');
    expect(out).toContain('"fault":{"status":503,"retryAfterSeconds":1}');
    expect(out.match(/\{"token":"eyJ[^"]+","expiresOn":"[^"]+"\}/g)).toHaveLength(2);
    expect(out).toContain('"offsetSeconds":7200');
    expect(out).toMatch(/\{"valid":true,"identity":"8:acs:[^"]+","scopes":\["chat"\]/);
    // The reset it made: only the identity the verify step created is left.
    expect(emulator.identities().map((identity) => identity.customId)).toEqual([undefined]);
  });

  it.skipIf(!tools)("sign with the access key: accepted with the right key, refused with another", async () => {
    // The block's two placeholder lines become the emulator's endpoint and key.
    const script = blocks[1].replace(/^EMULATOR=.*$/m, "").replace(/^ACCESS_KEY=.*$/m, "");
    const out = await sh(script, { EMULATOR: emulator.endpoint, ACCESS_KEY: accessKeyOf(emulator.connectionString) });
    const answers = out.split(/(?<=\})(?=\{)/);
    expect(answers).toHaveLength(3);
    expect(JSON.parse(answers[0])).toEqual({ value: [] });
    expect(JSON.parse(answers[1])).toMatchObject({ identity: { id: expect.stringMatching(/^8:acs:/) } });
    expect(JSON.parse(answers[2])).toMatchObject({ value: [{ match: { method: "DELETE" }, times: 1 }] });

    const refused = await sh(script, { EMULATOR: emulator.endpoint, ACCESS_KEY: Buffer.alloc(32, 9).toString("base64") });
    expect(refused).toContain('"code":"SignatureMismatch"');
    expect(refused).toContain('"differs":"unknown"');
  });
});

describe("RequestLog", () => {
  it("keeps the newest entries up to its capacity, in order, and counts all", () => {
    const log = new RequestLog(3);
    for (let i = 1; i <= 5; i++) log.record({ at: "t", method: "GET", path: `/${i}`, status: 200, durationMs: 0 });
    expect(log.list().map((entry) => [entry.seq, entry.path])).toEqual([[3, "/3"], [4, "/4"], [5, "/5"]]);
    expect(log.list(4).map((entry) => entry.seq)).toEqual([5]);
    expect(log.list(5)).toEqual([]);
    expect(log.total).toBe(5);
  });
});
