import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../../src/index.js";
import { JOURNAL_FILE } from "../../src/journal.js";
import { reportFigure } from "../../../test/helpers/figures.js";
import { accessKeyOf, hmacHeaders, rawRequest, signedRequest, type RawResponse } from "../../../test/helpers/emulatorSigner.js";

const PREVIEW = "2025-03-02-preview";
const STABLE = "2023-10-01";

let location: string;
let emulator: IdentityEmulator;
let accessKey: string;
// One keep-alive agent for the whole run: many requests share few sockets, as a real client does.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
/** What the emulator has told us: id → customId for every 201 create, minus 204 deletes. */
const reported = new Map<string, string | undefined>();
/** How often each status came back: proves the run reached the handlers, not only the auth check. */
const statuses = new Map<number, number>();

beforeAll(async () => {
  location = mkdtempSync(path.join(tmpdir(), "reliability-fuzz-"));
  emulator = await startIdentityEmulator({ port: 0, location });
  accessKey = accessKeyOf(emulator.connectionString);
  for (const customId of [undefined, "fuzz-a", "fuzz-b"]) {
    const res = await signedRequest(emulator, "POST", `/identities?api-version=${PREVIEW}`, { body: customId ? { customId } : undefined });
    reported.set(res.json.identity.id, customId);
  }
});
afterAll(async () => {
  agent.destroy();
  await emulator.close();
  rmSync(location, { recursive: true, force: true });
});

// ---- arbitraries ------------------------------------------------------------------------------

const knownIds = () => [...reported.keys()];
const idSegment = fc.oneof(
  fc.constant(null).map(() => encodeURIComponent(knownIds()[0])),
  fc.nat().map((n) => encodeURIComponent(knownIds()[n % knownIds().length])),
  fc.uuid().map((u) => encodeURIComponent(`8:acs:${u}_${u}`)),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom("%", "%E0%A4%A", "..", "%2F", "8:acs:", "8%3Aacs%3A", "x".repeat(2000)),
);
// Weighted towards real routes with their own method and version, so most requests reach the handlers.
const route: fc.Arbitrary<[string, string]> = fc.oneof(
  { arbitrary: fc.constant<[string, string]>(["POST", "/identities"]), weight: 6 },
  { arbitrary: idSegment.map((id): [string, string] => ["GET", `/identities/${id}`]), weight: 3 },
  { arbitrary: idSegment.map((id): [string, string] => ["DELETE", `/identities/${id}`]), weight: 2 },
  { arbitrary: idSegment.map((id): [string, string] => ["POST", `/identities/${id}/:issueAccessToken`]), weight: 3 },
  { arbitrary: idSegment.map((id): [string, string] => ["POST", `/identities/${id}/:revokeAccessTokens`]), weight: 2 },
  { arbitrary: fc.constant<[string, string]>(["POST", "/teamsUser/:exchangeAccessToken"]), weight: 1 },
  { arbitrary: fc.constant<[string, string]>(["POST", "/_emulator/tokens:verify"]), weight: 1 },
  { arbitrary: fc.webPath({ size: "small" }).map((p): [string, string] => ["GET", p]), weight: 1 },
  { arbitrary: fc.stringMatching(/^\/[A-Za-z0-9%:._~\-/]{0,40}$/).map((p): [string, string] => ["POST", p]), weight: 1 },
);
const query = fc.oneof(
  { arbitrary: fc.constantFrom(`?api-version=${PREVIEW}`, `?api-version=${STABLE}`), weight: 8 },
  { arbitrary: fc.constantFrom("", "?api-version=", "?api-version=1999-01-01", `?api-version=${PREVIEW}&api-version=${STABLE}`), weight: 1 },
  { arbitrary: fc.webQueryParameters({ size: "small" }).map((q) => `?${q}`), weight: 1 },
);
const otherMethod = fc.oneof(fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"), fc.stringMatching(/^[A-Z]{1,10}$/));

const validBody = fc.oneof(
  fc.record({ customId: fc.string({ maxLength: 300 }) }, { requiredKeys: [] }),
  fc.record(
    {
      createTokenWithScopes: fc.array(fc.constantFrom("chat", "voip", "chat.join", "bogus"), { maxLength: 4 }),
      expiresInMinutes: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.double()),
      customId: fc.constantFrom("fuzz-a", "fuzz-b", "fuzz-c"),
    },
    { requiredKeys: [] },
  ),
  fc.record({ scopes: fc.array(fc.string(), { maxLength: 3 }), expiresInMinutes: fc.integer() }, { requiredKeys: [] }),
  fc.record({ token: fc.string(), appId: fc.uuid(), userId: fc.uuid() }, { requiredKeys: [] }),
);
const body: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: validBody.map((b) => JSON.stringify(b)), weight: 4 },
  { arbitrary: fc.tuple(validBody, fc.nat()).map(([b, n]) => { const text = JSON.stringify(b); return text.slice(0, n % text.length); }), weight: 2 },
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 2 },
  { arbitrary: fc.constant(""), weight: 1 },
  { arbitrary: fc.integer({ min: 1_000, max: 60_000 }).map((n) => JSON.stringify({ createTokenWithScopes: Array(n).fill("chat"), scopes: Array(n).fill(1) })), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => `${'{"customId":'.repeat(n)}"x"${"}".repeat(n)}`), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 100_000 }).map((n) => "[".repeat(n) + "]".repeat(n)), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("latin1")), weight: 1 },
  // Past the emulator's 1 MB body limit: a 413 envelope, not a crash.
  { arbitrary: fc.integer({ min: 1, max: 3 }).map((n) => JSON.stringify({ customId: "x".repeat(n * 700_000) })), weight: 1 },
);
const contentType = fc.constantFrom(undefined, "application/json", "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=x");
type SignatureKind = "valid" | "stale" | "wrong-key" | "wrong-body-hash" | "garbage" | "none" | "bearer";
const signature = fc.constantFrom<SignatureKind>("valid", "valid", "valid", "valid", "valid", "valid", "stale", "wrong-key", "wrong-body-hash", "garbage", "none", "bearer");
const extraHeaders = fc.dictionary(
  fc.stringMatching(/^x-[a-z-]{1,20}$/),
  fc.string({ maxLength: 100 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
  { maxKeys: 4 },
);

interface FuzzRequest {
  method: string;
  path: string;
  body: string;
  contentType: string | undefined;
  signature: SignatureKind;
  headers: Record<string, string>;
}

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    route,
    replaceMethod: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: otherMethod, weight: 1 }),
    query,
    body,
    contentType,
    signature,
    headers: extraHeaders,
  })
  .map(({ route: [routeMethod, routePath], replaceMethod, query: q, ...rest }) => ({ method: replaceMethod ?? routeMethod, path: routePath + q, ...rest }));

// ---- sending and checking -----------------------------------------------------------------

function headersFor(request: FuzzRequest, url: string): Record<string, string> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.contentType) headers["content-type"] = request.contentType;
  const sign = (key: string, date?: Date, body = request.body) => hmacHeaders({ method: request.method, url, body, accessKey: key, date });
  switch (request.signature) {
    case "valid":
      return { ...headers, ...sign(accessKey) };
    case "stale":
      return { ...headers, ...sign(accessKey, new Date(Date.now() - 3_600_000)) };
    case "wrong-key":
      return { ...headers, ...sign(Buffer.alloc(32, 9).toString("base64")) };
    case "wrong-body-hash":
      return { ...headers, ...sign(accessKey, undefined, `${request.body} `), "x-ms-content-sha256": sign(accessKey)["x-ms-content-sha256"] };
    case "garbage":
      return { ...headers, authorization: `HMAC-SHA256 ${request.headers["x-junk"] ?? "SignedHeaders=&Signature=="}`, "x-ms-date": "yesterday" };
    case "bearer":
      return { ...headers, authorization: "Bearer e30.e30.e30" };
    case "none":
      return headers;
  }
}

function checkAnswer(request: FuzzRequest, res: RawResponse): void {
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  expect(res.status, `${request.method} ${request.path}`).toBeGreaterThanOrEqual(200);
  expect(res.status, `${request.method} ${request.path} must not be a 5xx`).toBeLessThan(500);
  if (res.status >= 400 && request.method !== "HEAD") {
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.json, `${request.method} ${request.path} → ${res.status}: ${res.text.slice(0, 200)}`).toMatchObject({
      error: { code: expect.any(String), message: expect.any(String) },
    });
    expect(Object.keys(res.json)).toEqual(["error"]);
  }
  // Never echo the key, whatever was sent.
  expect(res.text).not.toContain(accessKey);
  // Track what the emulator reports, to check its state afterwards.
  const routeOnly = request.path.split("?")[0];
  if (request.method === "POST" && res.status === 201 && res.json?.identity?.id) {
    const id: string = res.json.identity.id;
    let customId: string | undefined;
    try {
      customId = JSON.parse(request.body)?.customId ?? undefined;
    } catch {
      customId = undefined;
    }
    if (reported.has(id)) expect(reported.get(id), "an id comes back twice only for the same customId").toBe(customId);
    reported.set(id, customId);
  }
  if (request.method === "DELETE" && res.status === 204) {
    reported.delete(decodeURIComponent(routeOnly.split("/")[2]));
  }
}

describe("the emulator under hostile requests", () => {
  it("never answers 5xx, always uses the error envelope, and keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const url = emulator.endpoint + request.path.slice(1);
        const res = await rawRequest(url, {
          method: request.method,
          headers: headersFor(request, url),
          body: request.body === "" ? undefined : request.body,
          agent,
        });
        checkAnswer(request, res);
      }),
      { numRuns: 250, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(250);
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([201, 400, 401, 404]));
    reportFigure("emulator fuzz statuses", Object.fromEntries(statuses));
    const alive = await signedRequest(emulator, "POST", `/identities?api-version=${STABLE}`);
    expect(alive.status).toBe(201);
  });

  it("reports a consistent state: every identity it reported exists exactly once", async () => {
    // Every reported identity is still readable, with the customId it was created with.
    for (const [id, customId] of reported) {
      const res = await signedRequest(emulator, "GET", `/identities/${encodeURIComponent(id)}?api-version=${PREVIEW}`);
      expect(res.status, id).toBe(200);
      expect(res.json.id).toBe(id);
      expect(res.json.customId).toBe(customId);
    }
    // A customId maps to one identity: creating again returns it.
    const byCustomId = new Map<string, string>();
    for (const [id, customId] of reported) {
      if (customId === undefined) continue;
      expect(byCustomId.has(customId), `customId ${customId} reported for two identities`).toBe(false);
      byCustomId.set(customId, id);
      const again = await signedRequest(emulator, "POST", `/identities?api-version=${PREVIEW}`, { body: { customId } });
      expect(again.json.identity.id).toBe(id);
    }
    // The durable record agrees: each reported id was created exactly once and not deleted.
    const records = readFileSync(path.join(location, JOURNAL_FILE), "utf8").split("\n").slice(1).filter(Boolean).map((line) => JSON.parse(line));
    for (const id of reported.keys()) {
      expect(records.filter((r) => r.t === "create" && r.id === id), id).toHaveLength(1);
      expect(records.filter((r) => r.t === "delete" && r.id === id), id).toHaveLength(0);
    }
  });
});
