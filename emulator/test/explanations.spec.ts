/**
 * Why a request was refused: in the answer's `error.innererror`, in the request log and on the terminal line.
 * Never the key, never a signature (neither the one sent nor the one expected).
 */
import { spawn } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { accessKeyOf, hmacHeaders, rawRequest, signedRequest } from "../../test/helpers/emulatorSigner.js";

const API = "api-version=2025-03-02-preview";
let emulator: IdentityEmulator;
let key: string;
let url: string;
const lines: string[] = [];

beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0, log: (line) => lines.push(line) });
  key = accessKeyOf(emulator.connectionString);
  url = `${emulator.endpoint}identities?${API}`;
});
afterAll(() => emulator.close());
beforeEach(() => {
  lines.length = 0;
});

const body = JSON.stringify({ customId: "explained" });
const hashOf = (text: string) => createHash("sha256").update(text).digest("base64");
const signatureIn = (headers: Record<string, string>) => /Signature=(.+)$/.exec(headers.authorization)![1];

/** Signs `toSign` itself (what a client with a bug signs), with `signingKey` (bytes). */
function signedBy(toSign: string, date: string, hash: string, signingKey: Buffer): Record<string, string> {
  const signature = createHmac("sha256", signingKey).update(toSign).digest("base64");
  return {
    "x-ms-date": date,
    "x-ms-content-sha256": hash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

function post(headers: Record<string, string>, options: { body?: string; target?: string } = {}) {
  return rawRequest(options.target ?? url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: options.body ?? body });
}

/** The response, log entry and terminal line hold no key and no signature. */
function expectNoSecrets(text: string, signatures: string[]): void {
  expect(text).not.toContain(key);
  for (const signature of signatures) expect(text).not.toContain(signature);
}

describe("401 Denied for a signature that does not match", () => {
  it("explains a wrong key: the string-to-sign, no part that differs, the clock skew; never the key or a signature", async () => {
    const wrongKey = randomBytes(32).toString("base64");
    const date = new Date();
    const sent = hmacHeaders({ method: "POST", url, body, accessKey: wrongKey, date });
    const expected = hmacHeaders({ method: "POST", url, body, accessKey: key, date });
    const res = await post(sent);

    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("Denied");
    const host = new URL(emulator.endpoint).host;
    expect(res.json.error.innererror).toMatchObject({
      code: "SignatureMismatch",
      differs: "unknown",
      stringToSign: `POST\n/identities?${API}\n${date.toUTCString()};${host};${hashOf(body)}`,
    });
    expect(res.json.error.innererror.message).toMatch(/different access key/);
    // SDKs keep only an innererror's code and message: the message carries the string-to-sign too.
    expect(res.json.error.innererror.message).toContain(JSON.stringify(res.json.error.innererror.stringToSign));
    expect(Math.abs(res.json.error.innererror.clockSkewSeconds)).toBeLessThanOrEqual(2);
    const secrets = [signatureIn(sent), signatureIn(expected)];
    expectNoSecrets(res.text, secrets);

    const entry = emulator.requests().at(-1)!;
    expect(entry).toMatchObject({ method: "POST", path: "/identities", apiVersion: "2025-03-02-preview", status: 401, code: "Denied" });
    expect(entry.explanation).toEqual(res.json.error.innererror);
    expectNoSecrets(JSON.stringify(emulator.requests()), secrets);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("POST /identities 2025-03-02-preview -> 401 Denied");
    expect(lines[0]).toContain("different access key");
    expect(lines[0]).toContain(JSON.stringify(res.json.error.innererror.stringToSign));
    expectNoSecrets(lines[0], secrets);
  });

  it("names the host the client signed when it left out the port", async () => {
    const date = new Date().toUTCString();
    const { hostname } = new URL(emulator.endpoint);
    const headers = signedBy(`POST\n/identities?${API}\n${date};${hostname};${hashOf(body)}`, date, hashOf(body), Buffer.from(key, "base64"));
    const res = await post(headers);
    expect(res.status).toBe(401);
    expect(res.json.error.innererror).toMatchObject({ code: "SignatureMismatch", differs: "host", clientSigned: hostname });
    expect(res.json.error.innererror.message).toContain(`'${new URL(emulator.endpoint).host}'`);
    expectNoSecrets(res.text, [signatureIn(headers)]);
  });

  it("names the path the client signed when it differs from the one sent", async () => {
    const date = new Date().toUTCString();
    const host = new URL(emulator.endpoint).host;
    const headers = signedBy(`POST\n/identities\n${date};${host};${hashOf(body)}`, date, hashOf(body), Buffer.from(key, "base64"));
    const res = await post(headers);
    expect(res.json.error.innererror).toMatchObject({ differs: "path", clientSigned: "/identities" });
  });

  it("says when the key's base64 text was used as the HMAC key", async () => {
    const date = new Date().toUTCString();
    const host = new URL(emulator.endpoint).host;
    const headers = signedBy(`POST\n/identities?${API}\n${date};${host};${hashOf(body)}`, date, hashOf(body), Buffer.from(key, "utf8"));
    const res = await post(headers);
    expect(res.json.error.innererror).toMatchObject({ differs: "key" });
    expect(res.json.error.innererror.message).toMatch(/base64-decoded bytes/);
    expectNoSecrets(res.text, [signatureIn(headers)]);
  });

  it("explains a body that does not match x-ms-content-sha256 with both hashes", async () => {
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key });
    const other = JSON.stringify({ customId: "changed" });
    const res = await post(headers, { body: other });
    expect(res.json.error.code).toBe("Denied");
    expect(res.json.error.innererror).toMatchObject({ code: "ContentHashMismatch", differs: "contentHash", header: "x-ms-content-sha256" });
    expect(res.json.error.innererror.message).toContain(hashOf(body));
    expect(res.json.error.innererror.message).toContain(hashOf(other));
  });
});

describe("401 InvalidAuthenticationInfo", () => {
  it("gives the clock skew for an x-ms-date too far from the emulator's clock", async () => {
    const res = await post(hmacHeaders({ method: "POST", url, body, accessKey: key, date: new Date(Date.now() - 20 * 60_000) }));
    expect(res.json.error.code).toBe("InvalidAuthenticationInfo");
    expect(res.json.error.innererror).toMatchObject({ code: "ClockSkew", differs: "date", header: "x-ms-date" });
    expect(res.json.error.innererror.clockSkewSeconds).toBeGreaterThanOrEqual(-1202);
    expect(res.json.error.innererror.clockSkewSeconds).toBeLessThanOrEqual(-1198);
  });

  it("follows the emulator's clock when it is moved", async () => {
    emulator.setClock(3600);
    try {
      const res = await post(hmacHeaders({ method: "POST", url, body, accessKey: key }));
      expect(res.json.error.innererror).toMatchObject({ code: "ClockSkew" });
      expect(res.json.error.innererror.clockSkewSeconds).toBeLessThanOrEqual(-3598);
    } finally {
      emulator.setClock(0);
    }
  });

  it("names a missing Authorization header", async () => {
    const res = await post({});
    expect(res.json.error.innererror).toMatchObject({ code: "MissingHeader", header: "authorization" });
    expect(emulator.requests().at(-1)!.explanation).toMatchObject({ code: "MissingHeader", header: "authorization" });
    expect(lines.at(-1)).toMatch(/-> 401 InvalidAuthenticationInfo .*no Authorization header/);
  });

  it("names a signed header the request does not carry", async () => {
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key });
    const res = await post({ ...headers, authorization: headers.authorization.replace("x-ms-content-sha256", "x-ms-content-sha256;x-ms-client-request-id") });
    expect(res.json.error.innererror).toMatchObject({ code: "MissingHeader", header: "x-ms-client-request-id" });
  });

  it("names a required header the signature does not cover", async () => {
    const headers = hmacHeaders({ method: "POST", url, body, accessKey: key });
    const res = await post({ ...headers, authorization: headers.authorization.replace("x-ms-date;host;", "x-ms-date;") });
    expect(res.json.error.innererror).toMatchObject({ code: "UnsignedHeader", header: "host" });
  });

  it("does not echo an Authorization header without a scheme (it may be a bare token)", async () => {
    const bare = randomBytes(24).toString("base64url");
    const res = await post({ authorization: bare });
    expect(res.json.error.innererror).toMatchObject({ code: "UnsupportedScheme", header: "authorization" });
    expect(res.text).not.toContain(bare);
    expect(lines.join("\n")).not.toContain(bare);
  });
});

describe("bearer tokens", () => {
  it("says when the bearer token expired, on the emulator's clock, without echoing it", async () => {
    const { token } = (await emulator.tokenCredential().getToken([]))!;
    emulator.setClock(2 * 3600);
    try {
      const res = await post({ authorization: `Bearer ${token}` });
      expect(res.json.error.code).toBe("Denied");
      expect(res.json.error.innererror).toMatchObject({ code: "BearerExpired" });
      expect(res.json.error.innererror.message).toMatch(/expired at .* the emulator's clock says/);
      expect(res.text).not.toContain(token);
      expect(lines.join("\n")).not.toContain(token);
    } finally {
      emulator.setClock(0);
    }
  });
});

describe("validation errors", () => {
  it("keep the service's envelope (the field is its target) and log the field", async () => {
    const res = await signedRequest(emulator, "POST", `/identities?${API}`, { body: { createTokenWithScopes: [] } });
    expect(res.json).toEqual({ error: { code: "ValidationError", message: "Invalid scopes - Scopes field is required.", target: "createTokenWithScopes" } });
    expect(emulator.requests().at(-1)).toMatchObject({ status: 400, code: "ValidationError", explanation: { field: "createTokenWithScopes" } });
    expect(lines.at(-1)).toContain("-> 400 ValidationError");
  });
});

describe("the terminal line", () => {
  it("is one line per answered request, with method, path, api-version, status and duration", async () => {
    const res = await signedRequest(emulator, "POST", `/identities?${API}`);
    expect(res.status).toBe(201);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} POST \/identities 2025-03-02-preview -> 201 \(\d+ ms\)$/);
  });
});

/** Runs the CLI from source; `output()` is everything it printed so far. */
function runCli(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "--port", "0", ...args], {
    cwd: fileURLToPath(new URL("../", import.meta.url)),
    stdio: "pipe",
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => out };
}

describe("the CLI's terminal", () => {
  it("prints a line per request with why a refused one was refused, and a line when it stops", async () => {
    const cli = runCli([]);
    await expect.poll(cli.output, { timeout: 15_000 }).toMatch(/connection string: \S+\n/);
    const endpoint = /endpoint: (\S+)\n/.exec(cli.output())![1];
    const connectionString = /connection string: (\S+)\n/.exec(cli.output())![1];
    const cliKey = accessKeyOf(connectionString);
    expect((await signedRequest({ endpoint, connectionString }, "POST", "/identities?api-version=2023-10-01")).status).toBe(201);
    const wrong = await signedRequest({ endpoint, connectionString }, "POST", "/identities?api-version=2023-10-01", { accessKey: randomBytes(32).toString("base64") });
    expect(wrong.status).toBe(401);

    await expect.poll(cli.output).toMatch(/-> 401 Denied/);
    const requestLines = cli.output().split("\n").filter((line) => line.includes(" /identities "));
    expect(requestLines).toHaveLength(2);
    expect(requestLines[0]).toMatch(/POST \/identities 2023-10-01 -> 201 \(\d+ ms\)$/);
    expect(requestLines[1]).toMatch(/POST \/identities 2023-10-01 -> 401 Denied \(\d+ ms\): .*different access key.* string-to-sign: "POST\\n\/identities\?api-version=2023-10-01\\n.*; clock skew -?\d+ s\.$/);

    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/Communication Identity emulator stopped \(SIGINT\) after 2 requests; in-memory state discarded\.\n$/);
    // The banner shows the connection string once; no request line or the stop line repeats the key.
    expect(cli.output().split(cliKey)).toHaveLength(2);
  });

  it("prints no request lines with --quiet, but still the stop line", async () => {
    const cli = runCli(["--quiet"]);
    await expect.poll(cli.output, { timeout: 15_000 }).toMatch(/connection string: \S+\n/);
    const endpoint = /endpoint: (\S+)\n/.exec(cli.output())![1];
    expect((await rawRequest(`${endpoint}identities?api-version=2023-10-01`, { method: "POST" })).status).toBe(401);
    expect((await rawRequest(`${endpoint}_emulator/requests`)).json.value).toHaveLength(1);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.output()).not.toContain(" -> ");
    expect(cli.output()).toMatch(/stopped \(SIGTERM\) after 1 request; in-memory state discarded\.\n$/);
  });
});
