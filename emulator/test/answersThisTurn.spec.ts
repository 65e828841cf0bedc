import { randomBytes } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { accessKeyOf, hmacHeaders, signedRequest, verifyToken } from "../../test/helpers/emulatorSigner.js";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";

// The server writes the service API's answers at the end of the event loop's turn, all those of one turn together.
// Whatever arrives together must still get its own answer, in order on a connection, whatever the test does to timers.

const PREVIEW = "api-version=2025-03-02-preview";
let emulator: IdentityEmulator;
let userId: string;
let port: number;

beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
  port = Number(new URL(emulator.endpoint).port);
  userId = (await signedRequest(emulator, "POST", `/identities?${PREVIEW}`)).json.identity.id;
});
afterAll(() => emulator.close());

/** A signed issueAccessToken as raw HTTP/1.1 text (wrong key: signed with another one). */
function tokenRequest(requestId: string, options: { wrongKey?: boolean } = {}): string {
  const url = `${emulator.endpoint}identities/${encodeURIComponent(userId)}/:issueAccessToken?${PREVIEW}`;
  const body = JSON.stringify({ scopes: ["chat", "voip"] });
  const accessKey = options.wrongKey ? randomBytes(32).toString("base64") : accessKeyOf(emulator.connectionString);
  const signed = hmacHeaders({ method: "POST", url, body, accessKey });
  const target = url.slice(emulator.endpoint.length - 1);
  return (
    `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nx-ms-date: ${signed["x-ms-date"]}\r\nx-ms-content-sha256: ${signed["x-ms-content-sha256"]}\r\n` +
    `Authorization: ${signed.authorization}\r\nContent-Type: application/json\r\nx-ms-client-request-id: ${requestId}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

interface Answer {
  status: number;
  requestId: string | undefined;
  json: { token?: string; error?: { code: string; innererror?: { code: string } } };
}

/** Reads `count` answers (each with Content-Length) from a socket, in order. */
function answersFrom(socket: net.Socket, count: number): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const answers: Answer[] = [];
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0) return;
        const head = buffer.toString("latin1", 0, headEnd);
        const end = headEnd + 4 + Number(/\r\ncontent-length: *(\d+)/i.exec(head)![1]);
        if (buffer.length < end) return;
        answers.push({
          status: Number(head.slice(9, 12)),
          requestId: /\r\nx-ms-client-request-id: *([^\r]*)/i.exec(head)?.[1],
          json: JSON.parse(buffer.toString("utf8", headEnd + 4, end)),
        });
        buffer = buffer.subarray(end);
        if (answers.length === count) {
          resolve(answers);
          return;
        }
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`connection closed after ${answers.length} of ${count} answers`)));
  });
}

const connect = () =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.on("error", reject);
  });

describe("answers of requests that arrive together", () => {
  it("each request, on its own connection, gets its own answer: tokens for the signed ones, 401 for the others", async () => {
    const sockets = await Promise.all(Array.from({ length: 32 }, connect));
    const before = emulator.requests().length;
    const answers = sockets.map((socket) => answersFrom(socket, 1));
    // Written in one go: the emulator reads them all in one turn of its event loop.
    sockets.forEach((socket, index) => socket.write(tokenRequest(`together-${index}`, { wrongKey: index % 4 === 3 })));
    const received = (await Promise.all(answers)).map(([answer]) => answer);
    for (const socket of sockets) socket.destroy();

    for (const [index, answer] of received.entries()) {
      expect(answer.requestId).toBe(`together-${index}`);
      if (index % 4 === 3) {
        expect(answer.status).toBe(401);
        expect(answer.json.error).toMatchObject({ code: "Denied", innererror: { code: "SignatureMismatch" } });
      } else {
        expect(answer.status).toBe(200);
        expect(await verifyToken(emulator, answer.json.token)).toMatchObject({ valid: true, identity: userId });
      }
    }
    await vi.waitFor(() => expect(emulator.requests().length - before).toBeGreaterThanOrEqual(32));
    const logged = emulator.requests().filter((entry) => entry.path.endsWith("/:issueAccessToken"));
    expect(logged.slice(-32).map((entry) => entry.status).sort()).toEqual([...Array(24).fill(200), ...Array(8).fill(401)]);
  });

  it("answers requests pipelined on one connection in the order they were sent", async () => {
    const socket = await connect();
    const answers = answersFrom(socket, 5);
    socket.write(Array.from({ length: 5 }, (_, index) => tokenRequest(`pipelined-${index}`, { wrongKey: index === 2 })).join(""));
    const received = await answers;
    socket.destroy();
    expect(received.map((answer) => [answer.requestId, answer.status])).toEqual([
      ["pipelined-0", 200],
      ["pipelined-1", 200],
      ["pipelined-2", 401],
      ["pipelined-3", 200],
      ["pipelined-4", 200],
    ]);
  });

  it("still answers while a test fakes the global timers (setImmediate included)", async () => {
    vi.useFakeTimers({ toFake: ["setImmediate", "clearImmediate", "setTimeout", "clearTimeout"] });
    try {
      const socket = await connect();
      const answers = answersFrom(socket, 1);
      socket.write(tokenRequest("faked-timers"));
      const [answer] = await answers;
      socket.destroy();
      expect(answer).toMatchObject({ status: 200, requestId: "faked-timers" });
    } finally {
      vi.useRealTimers();
    }
  });
});
