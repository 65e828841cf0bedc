// The emulator's load driver, in its own process (the bench pins it to the core the emulator does
// not use) so the driver's event loop and GC neither share the bench process nor pass for the
// emulator's latency. Plain .mjs so it runs without tsx. Over IPC (the connection string holds the key):
//   parent → {connectionString, inFlight, userId}   once; the driver answers {ready: true}
//   parent → {windowMs}                              per window; the driver answers
//            {count, failures, p99, wallMs, cpuMicros}
// Every request is a real signed issueAccessToken that the emulator parses and verifies in full. What
// the driver saves is its own work: the signature depends on method, path, body, host and the
// x-ms-date second only, so it signs once per second (what any client sending the same request would
// compute), and it writes HTTP/1.1 on raw keep-alive sockets instead of going through node:http.
import crypto from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { parseBenchConnectionString, signRequest } from "./floorClient.mjs";

const API_VERSION = "2025-03-02-preview";

/**
 * Sends the same signed issueAccessToken over keep-alive connections, re-signing when the second
 * changes. Like wrk or autocannon it speaks HTTP/1.1 on raw sockets (one request at a time per
 * connection, no pipelining), so the load generator stays far cheaper than the server it measures.
 * @param {{ endpoint: string, accessKey: string, userId: string }} options
 */
export function createTokenRequester({ endpoint, accessKey, userId }) {
  const base = new URL(endpoint);
  const secure = base.protocol === "https:";
  const port = Number(base.port || (secure ? 443 : 80));
  const url = new URL(`${base.origin}/identities/${encodeURIComponent(userId)}/:issueAccessToken?api-version=${API_VERSION}`);
  const body = JSON.stringify({ scopes: ["chat", "voip"] });
  const key = Buffer.from(accessKey, "base64");
  const idle = [];
  const open = new Set();
  let signedFor = "";
  let head = "";
  let tail = "";
  // Unique per request, as a real client's are (the emulator echoes it back).
  const requestIdPrefix = `${crypto.randomUUID().slice(0, 24)}`;
  let sequence = 0;

  /** The request as sent now: a new signature only when the UTC second string changes. */
  function current() {
    const date = new Date().toUTCString();
    if (date !== signedFor) {
      const signed = signRequest({ method: "POST", url, body, key, date });
      head =
        `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${signed.host}\r\nx-ms-date: ${signed["x-ms-date"]}\r\n` +
        `x-ms-content-sha256: ${signed["x-ms-content-sha256"]}\r\nAuthorization: ${signed.authorization}\r\n` +
        `Accept: application/json\r\nContent-Type: application/json\r\nUser-Agent: bench-emulator-driver\r\nx-ms-client-request-id: `;
      tail = `\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      signedFor = date;
    }
    sequence++;
    return `${head}${requestIdPrefix}${String(sequence).padStart(12, "0")}${tail}`;
  }

  function connect() {
    const socket = secure
      ? tls.connect({ host: base.hostname, port, rejectUnauthorized: false })
      : net.connect({ host: base.hostname, port });
    socket.setNoDelay(true);
    const connection = { socket, pending: undefined, buffer: undefined, closed: false };
    open.add(connection);
    const fail = (error) => {
      connection.closed = true;
      open.delete(connection);
      const pending = connection.pending;
      connection.pending = undefined;
      pending?.reject(error ?? new Error("the emulator closed the connection"));
    };
    socket.on("data", (chunk) => receive(connection, chunk));
    socket.on("error", fail);
    socket.on("close", () => fail());
    return connection;
  }

  /** Collects one response (the emulator always sends Content-Length) and settles its request. */
  function receive(connection, chunk) {
    const buffer = connection.buffer ? Buffer.concat([connection.buffer, chunk]) : chunk;
    connection.buffer = buffer;
    const headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const head = buffer.toString("latin1", 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length === null) {
      connection.socket.destroy(new Error("response without Content-Length"));
      return;
    }
    const end = headEnd + 4 + Number(length[1]);
    if (buffer.length < end) return;
    connection.buffer = undefined;
    const ok = head.startsWith("HTTP/1.1 200 ") && buffer.includes('"token"', headEnd);
    const pending = connection.pending;
    connection.pending = undefined;
    if (/\r\nconnection: *close/i.test(head)) connection.socket.destroy();
    else idle.push(connection);
    pending?.resolve(ok);
  }

  /** Resolves true for a 200 answer carrying a token, false for any other complete answer. */
  function send() {
    return new Promise((resolve, reject) => {
      let connection = idle.pop();
      while (connection?.closed) connection = idle.pop();
      connection ??= connect();
      connection.pending = { resolve, reject };
      connection.socket.write(current());
    });
  }

  return {
    send,
    close: () => {
      for (const connection of open) connection.socket.destroy();
    },
  };
}

/** Nearest-rank quantile, as bench/stats.ts computes it. */
function quantile(values, q) {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
}

/** Keeps `inFlight` requests going for `windowMs`; latency is per request, wall clock. */
export async function runWindow(requester, inFlight, windowMs) {
  const latencies = [];
  let failures = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + windowMs;
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      if (await requester.send()) latencies.push(performance.now() - t0);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    count: latencies.length,
    failures,
    p99: latencies.length ? quantile(latencies, 0.99) : NaN,
    wallMs,
    cpuMicros: cpu.user + cpu.system,
  };
}

if (process.send) {
  let requester;
  let inFlight = 64;
  process.on("message", async (message) => {
    try {
      if (typeof message?.connectionString === "string") {
        const { endpoint, accessKey } = parseBenchConnectionString(message.connectionString);
        requester = createTokenRequester({ endpoint, accessKey, userId: message.userId });
        inFlight = message.inFlight;
        process.send({ ready: true });
      } else if (typeof message?.windowMs === "number") {
        process.send(await runWindow(requester, inFlight, message.windowMs));
      }
    } catch (error) {
      // The message only: a request error never carries the key, and the parent redacts anyway.
      process.send({ error: String(error?.message ?? error) });
    }
  });
  process.on("disconnect", () => {
    requester?.close();
    process.exit(0);
  });
}
