// The canned-response server: answers every route of the wire contract (CONTRACT §4) with a fixed,
// realistic body and never verifies signatures, so its cost per request is small and constant and
// the clients under test dominate. Runs in its own process: `node bench/cannedServer.mjs` prints
// `{"port":N}` on stdout and exits when stdin closes (its parent went away).
import http from "node:http";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";

const RESOURCE = "2dee53b4-368b-45b4-ab52-8493fb117652";
export const CANNED_USER_ID = `8:acs:${RESOURCE}_00000005-14a2-493b-8a72-5a3a0d000081`;
export const CANNED_EXPIRES_ON = "2030-10-10T21:39:39.3244584+00:00";

// A JWT-shaped token of realistic size (real ACS tokens are roughly 1 KB).
function fakeJwt() {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = encode({ alg: "RS256", kid: "5", x5t: "oP1aqBlG4VsJEt8kK2bGdFnEsNw", typ: "JWT" });
  const payload = encode({
    skypeid: `acs:${RESOURCE}_00000005-14a2-493b-8a72-5a3a0d000081`,
    scp: 1792,
    csi: "1917038376",
    exp: 1918044379,
    rgn: "amer",
    acsScope: "chat,voip",
    resourceId: RESOURCE,
    resourceLocation: "unitedstates",
    iat: 1917957979,
  });
  return `${header}.${payload}.${Buffer.alloc(256, 7).toString("base64url")}`;
}
export const CANNED_TOKEN = fakeJwt();

const accessToken = { token: CANNED_TOKEN, expiresOn: CANNED_EXPIRES_ON };
const BODIES = {
  createUser: JSON.stringify({ identity: { id: CANNED_USER_ID } }),
  createUserAndToken: JSON.stringify({ identity: { id: CANNED_USER_ID }, accessToken }),
  token: JSON.stringify(accessToken),
  getUser: JSON.stringify({ id: CANNED_USER_ID, lastTokenIssuedAt: "2025-02-10T21:39:39.3244584+00:00" }),
  notFound: JSON.stringify({ error: { code: "NotFound", message: "No route for this request." } }),
};

/** Picks the route's status and body; exported so tests can check the table without a socket. */
export function cannedAnswer(method, pathname, bodyText) {
  if (pathname === "/identities" && method === "POST") {
    return { status: 201, body: bodyText.includes("createTokenWithScopes") ? BODIES.createUserAndToken : BODIES.createUser };
  }
  if (pathname === "/teamsUser/:exchangeAccessToken" && method === "POST") return { status: 200, body: BODIES.token };
  if (pathname.startsWith("/identities/")) {
    const rest = pathname.slice("/identities/".length);
    if (method === "POST" && rest.endsWith("/:issueAccessToken")) return { status: 200, body: BODIES.token };
    if (method === "POST" && rest.endsWith("/:revokeAccessTokens")) return { status: 204, body: "" };
    if (!rest.includes("/")) {
      if (method === "DELETE") return { status: 204, body: "" };
      if (method === "GET") return { status: 200, body: BODIES.getUser };
    }
  }
  return { status: 404, body: BODIES.notFound };
}

/**
 * Starts the server on 127.0.0.1.
 * @param {number} [port]
 * @returns {Promise<{ port: number, close(): Promise<void> }>}
 */
export function startCannedServer(port = 0) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const queryAt = req.url.indexOf("?");
      const pathname = queryAt === -1 ? req.url : req.url.slice(0, queryAt);
      const answer = cannedAnswer(req.method, pathname, chunks.length ? Buffer.concat(chunks).toString("utf8") : "");
      const headers = {
        "api-supported-versions": "2021-03-07, 2022-06-01, 2022-10-01, 2023-08-01, 2023-10-01, 2025-03-02-preview",
        "ms-cv": "ZsY2bzWQ0kKh6R2uOL8Dmg.0",
        "x-processing-time": "7ms",
        "x-ms-client-request-id": req.headers["x-ms-client-request-id"] ?? randomUUID(),
      };
      if (answer.body) {
        headers["content-type"] = "application/json; charset=utf-8";
        headers["content-length"] = Buffer.byteLength(answer.body);
      }
      res.writeHead(answer.status, headers);
      res.end(answer.body);
    });
  });
  // Keep idle sockets open for the whole run so no client pays reconnects mid-measurement.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : 0,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { port } = await startCannedServer(Number(process.argv[2] ?? 0));
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("close", () => process.exit(0));
}
