import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { accessKeyOf, hmacHeaders, rawRequest, type RawResponse } from "../../test/helpers/emulatorSigner.js";

const PREVIEW = "api-version=2025-03-02-preview";
let emulator: IdentityEmulator;
let accessKey: string;
let authority: string;
beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
  accessKey = accessKeyOf(emulator.connectionString);
  authority = new URL(emulator.endpoint).host;
});
afterAll(() => emulator.close());

/** Sends `target` verbatim as the request target (what http.request does with an absolute `path`). */
function sendTarget(method: string, target: string, headers: Record<string, string>, body = ""): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(emulator.endpoint);
    const req = http.request({ host: hostname, port, method, path: target, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("absolute-form request targets (as sent through an HTTP proxy)", () => {
  it("accepts a correctly signed create sent as POST http://host:port/identities?…", async () => {
    const url = `http://${authority}/identities?${PREVIEW}`;
    const body = JSON.stringify({ customId: "via-proxy" });
    const res = await sendTarget("POST", url, { ...hmacHeaders({ method: "POST", url, body, accessKey }), "content-type": "application/json" }, body);
    expect(res.status, res.text).toBe(201);
    expect(res.json.identity.customId).toBe("via-proxy");
  });

  it("reads an identity with an encoded id in absolute form, as in origin form", async () => {
    const createUrl = `http://${authority}/identities?${PREVIEW}`;
    const created = await sendTarget("POST", createUrl, hmacHeaders({ method: "POST", url: createUrl, accessKey }));
    const url = `http://${authority}/identities/${encodeURIComponent(created.json.identity.id)}?${PREVIEW}`;
    const res = await sendTarget("GET", url, hmacHeaders({ method: "GET", url, accessKey }));
    expect(res.status, res.text).toBe(200);
    expect(res.json.id).toBe(created.json.identity.id);
  });

  it("takes the target's authority as the host, whatever Host header the proxy left", async () => {
    const url = `http://${authority}/identities?${PREVIEW}`;
    const res = await sendTarget("POST", url, { ...hmacHeaders({ method: "POST", url, accessKey }), host: "proxy.example:3128" });
    expect(res.status, res.text).toBe(201);
  });

  it("still refuses a wrong signature in absolute form", async () => {
    const url = `http://${authority}/identities?${PREVIEW}`;
    const res = await sendTarget("POST", url, hmacHeaders({ method: "POST", url, accessKey: Buffer.alloc(32, 1).toString("base64") }));
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("Denied");
  });

  it("names the path, not the authority or any userinfo, when there is no such route", async () => {
    const res = await sendTarget("POST", `http://user:secret@${authority}/nothing/here?${PREVIEW}`, {});
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe("No route for POST /nothing/here.");
    expect(res.text).not.toContain("secret");
  });
});

/**
 * Sends the head of a request that declares `declared` body bytes, then the body in 64 KiB chunks,
 * each only once the previous one was handed to the kernel, until the answer arrives. Resolves with
 * the answer's status line and how much of the body had been sent by then.
 */
function sendSlowly(head: string, declared: number): Promise<{ statusLine: string; headers: string; sent: number }> {
  const { hostname, port } = new URL(emulator.endpoint);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let answer = "";
    let sent = 0;
    let answered = false;
    socket.on("error", (error) => (answered ? undefined : reject(error)));
    socket.setEncoding("latin1").on("data", (chunk: string) => {
      answer += chunk;
      const end = answer.indexOf("\r\n\r\n");
      if (end < 0 || answered) return;
      answered = true;
      resolve({ statusLine: answer.slice(0, answer.indexOf("\r\n")), headers: answer.slice(0, end).toLowerCase(), sent });
      socket.destroy();
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const next = () => {
      if (answered || socket.destroyed) return;
      if (sent >= declared) return; // everything sent: the answer is still to come
      const size = Math.min(chunk.length, declared - sent);
      sent += size;
      socket.write(chunk.subarray(0, size), next);
    };
    socket.write(`${head}content-length: ${declared}\r\n\r\n`, next);
  });
}

describe("authentication before the body", () => {
  const DECLARED = 16 * 1024 * 1024;

  it("refuses a request without Authorization before reading its body", async () => {
    const answer = await sendSlowly(`POST /identities?${PREVIEW} HTTP/1.1\r\nhost: ${authority}\r\ncontent-type: application/json\r\n`, DECLARED);
    expect(answer.statusLine).toBe("HTTP/1.1 401 Unauthorized");
    expect(answer.sent).toBeLessThan(DECLARED);
  });

  it("refuses a request signed with the wrong key before reading its body", async () => {
    const url = `${emulator.endpoint}identities?${PREVIEW}`;
    const signed = hmacHeaders({ method: "POST", url, body: "whatever", accessKey: Buffer.alloc(32, 2).toString("base64") });
    const head = `POST /identities?${PREVIEW} HTTP/1.1\r\nhost: ${authority}\r\n${Object.entries(signed).map(([k, v]) => `${k}: ${v}\r\n`).join("")}`;
    const answer = await sendSlowly(head, DECLARED);
    expect(answer.statusLine).toBe("HTTP/1.1 401 Unauthorized");
    expect(answer.sent).toBeLessThan(DECLARED);
  });

  it.each([
    ["Teams Phone extensibility", "/access/teamsExtension/:exchangeAccessToken?api-version=2025-06-30"],
    ["Entra ID", "/access/entra/:exchangeAccessToken?api-version=2025-03-02-preview"],
  ])("refuses a %s exchange without the caller's Entra token before reading its body", async (_, target) => {
    const answer = await sendSlowly(`POST ${target} HTTP/1.1\r\nhost: ${authority}\r\ncontent-type: application/json\r\n`, DECLARED);
    expect(answer.statusLine).toBe("HTTP/1.1 401 Unauthorized");
    expect(answer.sent).toBeLessThan(DECLARED);
  });

  it("refuses an exchange with an Entra token this emulator did not sign before reading its body", async () => {
    const mint = (objectId: string) => emulator.createEntraToken({ tenantId: "t", objectId, appId: "a", scopes: ["https://communication.azure.com/clients/VoIP"] });
    // One token's claims under another's signature: a signature this emulator never made for them.
    const foreign = `${mint("o1").split(".").slice(0, 2).join(".")}.${mint("o2").split(".")[2]}`;
    const head = `POST /access/entra/:exchangeAccessToken?api-version=2025-03-02-preview HTTP/1.1\r\nhost: ${authority}\r\nauthorization: Bearer ${foreign}\r\n`;
    const answer = await sendSlowly(head, DECLARED);
    expect(answer.statusLine).toBe("HTTP/1.1 401 Unauthorized");
    expect(answer.sent).toBeLessThan(DECLARED);
  });

  it("refuses a control API request signed with the wrong key before reading its body", async () => {
    const url = `${emulator.endpoint}_emulator/faults`;
    const signed = hmacHeaders({ method: "POST", url, body: "whatever", accessKey: Buffer.alloc(32, 3).toString("base64") });
    const head = `POST /_emulator/faults HTTP/1.1\r\nhost: ${authority}\r\n${Object.entries(signed).map(([k, v]) => `${k}: ${v}\r\n`).join("")}`;
    const answer = await sendSlowly(head, DECLARED);
    expect(answer.statusLine).toBe("HTTP/1.1 401 Unauthorized");
    expect(answer.sent).toBeLessThan(DECLARED);
  });

  it("closes the connection after refusing a request whose declared body is too large to drain", async () => {
    const answer = await sendSlowly(`POST /identities?${PREVIEW} HTTP/1.1\r\nhost: ${authority}\r\n`, 64 * 1024 * 1024);
    expect(answer.statusLine).toBe("HTTP/1.1 401 Unauthorized");
    expect(answer.headers).toContain("connection: close");
  });

  it("keeps a keep-alive connection usable after refusing a request with a small unread body", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `${emulator.endpoint}identities?${PREVIEW}`;
      const refused = await rawRequest(url, { method: "POST", body: "x".repeat(50_000), agent });
      expect(refused.status).toBe(401);
      const body = JSON.stringify({ customId: "after-refusal" });
      const accepted = await rawRequest(url, { method: "POST", headers: { ...hmacHeaders({ method: "POST", url, body, accessKey }), "content-type": "application/json" }, body, agent });
      expect(accepted.status, accepted.text).toBe(201);
      expect(accepted.json.identity.customId).toBe("after-refusal");
    } finally {
      agent.destroy();
    }
  });

  it("checks the body against the signed content hash once the signature is verified", async () => {
    const url = `${emulator.endpoint}identities?${PREVIEW}`;
    const signedBody = JSON.stringify({ customId: "aaaa" });
    const sentBody = JSON.stringify({ customId: "bbbb" }); // same length, different bytes
    const res = await rawRequest(url, {
      method: "POST",
      headers: { ...hmacHeaders({ method: "POST", url, body: signedBody, accessKey }), "content-type": "application/json" },
      body: sentBody,
    });
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ code: "Denied", message: expect.stringContaining("x-ms-content-sha256") });
  });
});
