import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { accessKeyOf, hmacHeaders, rawRequest } from "../../test/helpers/emulatorSigner.js";

describe("HMAC verification", () => {
  let emulator: IdentityEmulator;
  let key: string;
  let url: string;
  beforeAll(async () => {
    emulator = await startIdentityEmulator({ port: 0 });
    key = accessKeyOf(emulator.connectionString);
    url = `${emulator.endpoint}identities?api-version=2025-03-02-preview`;
  });
  afterAll(() => emulator.close());

  const body = JSON.stringify({ customId: "signed" });
  const send = (headers: Record<string, string>, options: { body?: string; url?: string; method?: string } = {}) =>
    rawRequest(options.url ?? url, { method: options.method ?? "POST", headers: { "content-type": "application/json", ...headers }, body: options.body ?? body });

  it("accepts a correctly signed request", async () => {
    const res = await send(hmacHeaders({ method: "POST", url, body, accessKey: key }));
    expect(res.status).toBe(201);
  });

  it("accepts a query the signer re-encodes (space as +, ~ as %7E)", async () => {
    const odd = `${emulator.endpoint}identities?api-version=2025-03-02-preview&note=a%20b~c`;
    const res = await send(hmacHeaders({ method: "POST", url: odd, body, accessKey: key }), { url: odd });
    expect(res.status).toBe(201);
  });

  const expect401 = async (res: Awaited<ReturnType<typeof send>>, code: string) => {
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe(code);
    expect(res.text).not.toContain(key);
  };

  it("rejects a wrong key", async () => {
    await expect401(await send(hmacHeaders({ method: "POST", url, body, accessKey: randomBytes(32).toString("base64") })), "Denied");
  });

  it("rejects a tampered body", async () => {
    await expect401(await send(hmacHeaders({ method: "POST", url, body, accessKey: key }), { body: JSON.stringify({ customId: "evil" }) }), "Denied");
  });

  it("rejects a body whose declared hash was also changed", async () => {
    const evil = JSON.stringify({ customId: "evil" });
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key });
    headers["x-ms-content-sha256"] = hmacHeaders({ method: "POST", url, body: evil, accessKey: key })["x-ms-content-sha256"];
    await expect401(await send(headers, { body: evil }), "Denied");
  });

  it("rejects a tampered path", async () => {
    const headers = hmacHeaders({ method: "POST", url: `${emulator.endpoint}identities/x/:revokeAccessTokens?api-version=2025-03-02-preview`, body, accessKey: key });
    await expect401(await send(headers), "Denied");
  });

  it("rejects a tampered query", async () => {
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key });
    await expect401(await send(headers, { url: `${url}&extra=1` }), "Denied");
  });

  it("rejects a tampered method", async () => {
    const headers = hmacHeaders({ method: "PUT", url, body, accessKey: key });
    await expect401(await send(headers), "Denied");
  });

  it("rejects a tampered host", async () => {
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key });
    await expect401(await send({ ...headers, host: "evil.example:443" }), "Denied");
  });

  it.each([16, -16])("rejects an x-ms-date %i minutes off", async (minutes) => {
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key, date: new Date(Date.now() + minutes * 60_000) });
    await expect401(await send(headers), "InvalidAuthenticationInfo");
  });

  it("accepts an x-ms-date 14 minutes off", async () => {
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key, date: new Date(Date.now() - 14 * 60_000) });
    expect((await send(headers)).status).toBe(201);
  });

  it.each(["x-ms-date", "x-ms-content-sha256", "authorization"])("rejects a request missing %s", async (name) => {
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key });
    delete headers[name];
    await expect401(await send(headers), "InvalidAuthenticationInfo");
  });

  it("rejects a signature that does not cover host", async () => {
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key });
    headers.authorization = headers.authorization.replace("x-ms-date;host;x-ms-content-sha256", "x-ms-date;x-ms-content-sha256");
    await expect401(await send(headers), "InvalidAuthenticationInfo");
  });

  it("uses the injected clock for the date check", async () => {
    const past = new Date("2020-01-01T00:00:00Z");
    const skewed = await startIdentityEmulator({ port: 0, now: () => past });
    try {
      const target = `${skewed.endpoint}identities?api-version=2023-10-01`;
      const k = accessKeyOf(skewed.connectionString);
      const now = await rawRequest(target, { method: "POST", headers: hmacHeaders({ method: "POST", url: target, accessKey: k }) });
      expect(now.status).toBe(401);
      const then = await rawRequest(target, { method: "POST", headers: hmacHeaders({ method: "POST", url: target, accessKey: k, date: past }) });
      expect(then.status).toBe(201);
    } finally {
      await skewed.close();
    }
  });

  it("uses the configured access key", async () => {
    const accessKey = randomBytes(32).toString("base64");
    const keyed = await startIdentityEmulator({ port: 0, accessKey });
    try {
      expect(keyed.connectionString).toBe(`endpoint=${keyed.endpoint};accesskey=${accessKey}`);
      const target = `${keyed.endpoint}identities?api-version=2023-10-01`;
      const res = await rawRequest(target, { method: "POST", headers: hmacHeaders({ method: "POST", url: target, accessKey }) });
      expect(res.status).toBe(201);
    } finally {
      await keyed.close();
    }
  });
});

describe("bearer authentication over HTTPS", () => {
  let emulator: IdentityEmulator;
  beforeAll(async () => {
    emulator = await startIdentityEmulator({ port: 0, https: true });
  });
  afterAll(() => emulator.close());

  it("serves HTTPS with a certificate trusted through emulator.ca and clientOptions()", () => {
    expect(emulator.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(emulator.ca).toContain("BEGIN CERTIFICATE");
    expect(emulator.clientOptions()).toEqual({ tlsOptions: { ca: emulator.ca } });
  });

  it("accepts tokens from tokenCredential()", async () => {
    const credential = emulator.tokenCredential();
    const token = await credential.getToken("https://communication.azure.com//.default");
    expect(token?.expiresOnTimestamp).toBeGreaterThan(Date.now());
    const res = await rawRequest(`${emulator.endpoint}identities?api-version=2023-10-01`, {
      method: "POST",
      headers: { authorization: `Bearer ${token!.token}` },
      ca: emulator.ca,
    });
    expect(res.status).toBe(201);
    expect(res.json.identity.id).toMatch(/^8:acs:/);
  });

  it("refuses bearer tokens it did not mint", async () => {
    const other = await startIdentityEmulator({ port: 0 });
    try {
      const foreign = await other.tokenCredential().getToken("https://communication.azure.com//.default");
      const res = await rawRequest(`${emulator.endpoint}identities?api-version=2023-10-01`, {
        method: "POST",
        headers: { authorization: `Bearer ${foreign!.token}` },
        ca: emulator.ca,
      });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("Denied");
      const garbage = await rawRequest(`${emulator.endpoint}identities?api-version=2023-10-01`, {
        method: "POST",
        headers: { authorization: "Bearer not.a.jwt!" },
        ca: emulator.ca,
      });
      expect(garbage.status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it("refuses expired bearer tokens", async () => {
    let clock = new Date();
    const timed = await startIdentityEmulator({ port: 0, https: true, now: () => clock });
    try {
      const token = await timed.tokenCredential().getToken("https://communication.azure.com//.default");
      clock = new Date(clock.getTime() + 2 * 3600_000);
      const res = await rawRequest(`${timed.endpoint}identities?api-version=2023-10-01`, {
        method: "POST",
        headers: { authorization: `Bearer ${token!.token}` },
        ca: timed.ca,
      });
      expect(res.status).toBe(401);
    } finally {
      await timed.close();
    }
  });
});
