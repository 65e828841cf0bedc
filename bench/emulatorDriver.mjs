// The emulator's load driver, in its own process (the bench pins it to the core the emulator does
// not use) so the driver's event loop and GC neither share the bench process nor pass for the
// emulator's latency. Plain .mjs so it runs without tsx. Over IPC (the connection string holds the key):
//   parent → {connectionString, inFlight, userId}   once; the driver answers {ready: true}
//   parent → {windowMs}                              per window; the driver answers
//            {count, failures, p99, wallMs, cpuMicros}
// Every request is a real signed issueAccessToken that the emulator verifies in full. What the driver
// saves is its own work: the signature depends on method, path, body, host and the x-ms-date second
// only, so it signs once per second (what any client sending the same request would compute).
import http from "node:http";
import https from "node:https";
import { parseBenchConnectionString, signRequest } from "./floorClient.mjs";

const API_VERSION = "2025-03-02-preview";

/**
 * Sends the same signed issueAccessToken over keep-alive sockets, re-signing when the second changes.
 * @param {{ endpoint: string, accessKey: string, userId: string }} options
 */
export function createTokenRequester({ endpoint, accessKey, userId }) {
  const base = new URL(endpoint);
  const secure = base.protocol === "https:";
  const transport = secure ? https : http;
  const agent = secure ? new https.Agent({ keepAlive: true, rejectUnauthorized: false }) : new http.Agent({ keepAlive: true });
  const url = new URL(`${base.origin}/identities/${encodeURIComponent(userId)}/:issueAccessToken?api-version=${API_VERSION}`);
  const body = JSON.stringify({ scopes: ["chat", "voip"] });
  const key = Buffer.from(accessKey, "base64");
  const request = { agent, method: "POST", hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: {} };
  let signedFor = "";

  /** The request options for now: a new signature only when the UTC second string changes. */
  function current() {
    const date = new Date().toUTCString();
    if (date !== signedFor) {
      const headers = signRequest({ method: "POST", url, body, key, date });
      headers.accept = "application/json";
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
      request.headers = headers;
      signedFor = date;
    }
    return request;
  }

  /** Resolves with the status once the whole answer is read; 200 with a token is success. */
  function send() {
    return new Promise((resolve, reject) => {
      const req = transport.request(current(), (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve(res.statusCode === 200 && text.includes('"token"')));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  return { send, close: () => agent.destroy() };
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
