// The floor: the least a correct client can do per operation. Plain node:http with a keep-alive
// agent and HMAC-SHA256 signing (CONTRACT §5), no pipeline, no policies, no tracing. Every other
// client's CPU per op is compared with this one. Plain .mjs so child processes run it without tsx.
import http from "node:http";
import https from "node:https";
import { createHash, createHmac } from "node:crypto";

const EMPTY_BODY_HASH = createHash("sha256").update("").digest("base64");

/**
 * Parses `endpoint=<url>;accesskey=<base64>` (keys case-insensitive). Throws without echoing the key.
 * @param {string} connectionString
 * @returns {{ endpoint: string, accessKey: string }}
 */
export function parseBenchConnectionString(connectionString) {
  const match = /^endpoint=(.+?);accesskey=(.+)$/i.exec(connectionString.trim());
  if (!match) throw new Error("connection string must look like endpoint=<url>;accesskey=<base64 key>");
  return { endpoint: match[1], accessKey: match[2] };
}

/**
 * The path-and-query part of the string to sign: pathname as sent, plus the re-encoded query when non-empty.
 * @param {URL} url
 */
export function signedPathAndQuery(url) {
  const query = url.searchParams.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

/**
 * Signs one request; returns the four headers the service checks.
 * @param {{ method: string, url: URL, body: string, key: Buffer, date?: string }} input
 */
export function signRequest({ method, url, body, key, date = new Date().toUTCString() }) {
  const contentHash = body ? createHash("sha256").update(body).digest("base64") : EMPTY_BODY_HASH;
  const host = url.host;
  const toSign = `${method.toUpperCase()}\n${signedPathAndQuery(url)}\n${date};${host};${contentHash}`;
  const signature = createHmac("sha256", key).update(toSign).digest("base64");
  return {
    "x-ms-date": date,
    "x-ms-content-sha256": contentHash,
    host,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

/**
 * A minimal identity client with the same wire and signing as the SDKs.
 * @param {{ endpoint: string, accessKey: string, apiVersion?: string }} options
 */
export function createFloorClient({ endpoint, accessKey, apiVersion = "2023-10-01" }) {
  const base = new URL(endpoint);
  const secure = base.protocol === "https:";
  const transport = secure ? https : http;
  // Same agent shape as core-rest-pipeline's Node client: keep-alive, unlimited sockets.
  // A self-signed local emulator is the only https target here, hence rejectUnauthorized: false.
  const agent = secure
    ? new https.Agent({ keepAlive: true, rejectUnauthorized: false })
    : new http.Agent({ keepAlive: true });
  const key = Buffer.from(accessKey, "base64");
  const origin = base.origin;

  function send(method, path, bodyObject, expectedStatus) {
    const url = new URL(`${origin}${path}${path.includes("?") ? "&" : "?"}api-version=${apiVersion}`);
    const body = bodyObject === undefined ? "" : JSON.stringify(bodyObject);
    const headers = signRequest({ method, url, body, key });
    headers.accept = "application/json";
    if (method === "POST" && !path.endsWith(":revokeAccessTokens")) headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = transport.request(
        { agent, method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers },
        (res) => {
          const chunks = [];
          res.on("data", (chunk) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode !== expectedStatus) {
              const error = new Error(`unexpected status ${res.statusCode} for ${method} ${url.pathname}`);
              error.statusCode = res.statusCode;
              reject(error);
              return;
            }
            try {
              resolve(text ? JSON.parse(text) : undefined);
            } catch (error) {
              reject(error);
            }
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  const userPath = (user) => `/identities/${encodeURIComponent(user.communicationUserId)}`;
  const toToken = (raw) => ({ token: raw.token, expiresOn: new Date(raw.expiresOn) });

  return {
    async createUser() {
      const raw = await send("POST", "/identities", undefined, 201);
      return { communicationUserId: raw.identity.id };
    },
    async createUserAndToken(scopes) {
      const raw = await send("POST", "/identities", { createTokenWithScopes: scopes }, 201);
      return { ...toToken(raw.accessToken), user: { communicationUserId: raw.identity.id } };
    },
    async getToken(user, scopes) {
      return toToken(await send("POST", `${userPath(user)}/:issueAccessToken`, { scopes }, 200));
    },
    close() {
      agent.destroy();
    },
  };
}
