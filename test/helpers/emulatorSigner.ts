/**
 * An independent ACS HMAC signer and a raw HTTP(S) client for emulator tests. Written from the
 * contract (§5), deliberately sharing nothing with src/credentials or the emulator's verifier.
 */
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";

export interface SignOptions {
  method: string;
  url: string;
  body?: string | Buffer;
  /** Base64 access key. */
  accessKey: string;
  date?: Date;
}

export function hmacHeaders({ method, url, body = "", accessKey, date = new Date() }: SignOptions): Record<string, string> {
  const parsed = new URL(url);
  const query = parsed.searchParams.toString();
  const pathAndQuery = parsed.pathname + (query ? `?${query}` : "");
  const xMsDate = date.toUTCString();
  const contentHash = createHash("sha256").update(body).digest("base64");
  const toSign = `${method.toUpperCase()}\n${pathAndQuery}\n${xMsDate};${parsed.host};${contentHash}`;
  const signature = createHmac("sha256", Buffer.from(accessKey, "base64")).update(toSign).digest("base64");
  return {
    "x-ms-date": xMsDate,
    "x-ms-content-sha256": contentHash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

export function accessKeyOf(connectionString: string): string {
  const match = /accesskey=([^;]+)/i.exec(connectionString);
  if (!match) throw new Error("connection string without accesskey");
  return match[1];
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  ca?: string;
  agent?: http.Agent;
}

export function rawRequest(url: string, { method = "GET", headers = {}, body, ca, agent }: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const transport = target.protocol === "https:" ? https : http;
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = transport.request(
      target,
      {
        method,
        headers: { ...(payload ? { "content-length": String(payload.length) } : {}), ...headers },
        ...(ca ? { ca } : {}),
        ...(agent ? { agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Signs with the emulator's key and sends; `body` objects are sent as compact JSON. */
export function signedRequest(
  emulator: { endpoint: string; connectionString: string; ca?: string },
  method: string,
  pathAndQuery: string,
  options: { body?: unknown; headers?: Record<string, string>; accessKey?: string; date?: Date } = {},
): Promise<RawResponse> {
  const url = new URL(pathAndQuery, emulator.endpoint).toString();
  const body = options.body === undefined ? "" : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  const headers = {
    ...hmacHeaders({ method, url, body, accessKey: options.accessKey ?? accessKeyOf(emulator.connectionString), date: options.date }),
    ...(body ? { "content-type": "application/json" } : {}),
    ...options.headers,
  };
  return rawRequest(url, { method, headers, body: body || undefined, ca: emulator.ca });
}

/** Asks the emulator whether `token` is valid (`POST /_emulator/tokens:verify`, no auth) and returns its verdict. */
export async function verifyToken(emulator: { endpoint: string; ca?: string }, token: unknown): Promise<RawResponse["json"]> {
  return (await rawRequest(`${emulator.endpoint}_emulator/tokens:verify`, { method: "POST", body: JSON.stringify({ token }), ca: emulator.ca })).json;
}
