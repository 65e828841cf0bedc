import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { hmacHeaders } from "../../test/helpers/emulatorSigner.js";
import type { EmulatorHttpError } from "../src/errors.js";
import type * as HmacVerifier from "../src/hmacVerifier.js";
import { verifyContentHash, verifyHmacSignature, type SignedRequest } from "../src/hmacVerifier.js";

// The verifier remembers what it computed for the last Authorization header, x-ms-date, request target, string-to-sign
// and small body. These specs send sequences of requests, each a variation of the one before, and require of every
// one the verdict a verifier that remembers nothing (a fresh copy of the module) gives: same acceptance, same error,
// same explanation.

const key = randomBytes(32);
const otherKey = randomBytes(32);
const accessKey = key.toString("base64");
const NOW = new Date(Date.UTC(2026, 2, 4, 5, 6, 7, 890));
const ORIGIN = "http://127.0.0.1:8088";
const TARGETS = [
  "/identities/8%3Aacs%3Aabc_def/:issueAccessToken?api-version=2025-03-02-preview",
  "/identities?api-version=2025-03-02-preview",
  "/identities?api-version=2025-03-02-preview&note=a%20b~c",
  "/identities/x/:revokeAccessTokens?api-version=2023-10-01",
];
const BODIES = ['{"scopes":["chat","voip"]}', '{"scopes":["chat"]}', "", "x".repeat(3000)];

type Verdict = "accepted" | { status: number; code: string; message: string; explanation: unknown };

function verdictOf(check: () => void): Verdict {
  try {
    check();
    return "accepted";
  } catch (error) {
    if (!(error instanceof Error) || !("status" in error)) throw error;
    const refusal = error as EmulatorHttpError;
    return { status: refusal.status, code: refusal.code, message: refusal.message, explanation: refusal.explanation };
  }
}

/** A request as a client signs it, then changed in one way (or not at all). */
interface Variation {
  target: string;
  body: string;
  /** Seconds the x-ms-date is off the emulator's clock (beyond 900 it is refused). */
  skew: number;
  /** What is changed after signing. */
  change:
    | "none"
    | "method"
    | "lower-case method"
    | "target"
    | "host"
    | "date"
    | "invalid date"
    | "zone-less date"
    | "content hash"
    | "body"
    | "same-length body"
    | "signature"
    | "other key"
    | "unsigned host"
    | "no signature"
    | "missing header"
    | "python spelling";
}

const variation: fc.Arbitrary<Variation> = fc.record({
  target: fc.constantFrom(...TARGETS),
  body: fc.constantFrom(...BODIES),
  skew: fc.constantFrom(0, 0, 1, -59, 899, 901, -2000),
  change: fc.constantFrom(
    "none",
    "none",
    "none",
    "method",
    "lower-case method",
    "target",
    "host",
    "date",
    "invalid date",
    "zone-less date",
    "content hash",
    "body",
    "same-length body",
    "signature",
    "other key",
    "unsigned host",
    "no signature",
    "missing header",
    "python spelling",
  ),
});

function requestOf({ target, body, skew, change }: Variation): { request: SignedRequest; authorization: string; body: Buffer } {
  const date = new Date(Math.floor(NOW.getTime() / 1000) * 1000 + skew * 1000);
  const method = change === "method" ? "PUT" : "POST";
  const headers: Record<string, string> = { host: "127.0.0.1:8088", ...hmacHeaders({ method: "POST", url: `${ORIGIN}${target}`, body, accessKey, date }) };
  if (change === "other key") Object.assign(headers, hmacHeaders({ method: "POST", url: `${ORIGIN}${target}`, body, accessKey: otherKey.toString("base64"), date }));
  if (change === "python spelling") {
    // Signed with the host as `host:port/` and the path without its leading "/", as the Python SDKs do.
    const parsed = new URL(`${ORIGIN}${target}`);
    const pathAndQuery = `${parsed.pathname.slice(1)}?${parsed.searchParams.toString()}`;
    const toSign = `POST\n${pathAndQuery}\n${headers["x-ms-date"]};${parsed.host}/;${headers["x-ms-content-sha256"]}`;
    const signature = createHmac("sha256", key).update(toSign).digest("base64");
    headers.authorization = `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`;
  }
  let sentTarget = target;
  let sentBody = body;
  if (change === "target") sentTarget = `${target}&extra=1`;
  if (change === "host") headers.host = "localhost:8088";
  if (change === "date") headers["x-ms-date"] = new Date(date.getTime() + 1000).toUTCString();
  if (change === "invalid date") headers["x-ms-date"] = "yesterday";
  if (change === "zone-less date") headers["x-ms-date"] = date.toUTCString().replace(" GMT", "");
  if (change === "content hash") headers["x-ms-content-sha256"] = "AAAA" + headers["x-ms-content-sha256"].slice(4);
  if (change === "body") sentBody = `${body} `;
  if (change === "same-length body") sentBody = body === "" ? " " : `${body.slice(0, -1)}${body.endsWith("}") ? "]" : "}"}`;
  if (change === "signature") headers.authorization = headers.authorization.replace(/Signature=(.)/, (_, first: string) => `Signature=${first === "A" ? "B" : "A"}`);
  if (change === "unsigned host") headers.authorization = headers.authorization.replace("x-ms-date;host;", "x-ms-date;");
  if (change === "no signature") headers.authorization = headers.authorization.replace(/&Signature=.*/, "");
  if (change === "missing header") headers.authorization = headers.authorization.replace("x-ms-content-sha256", "x-ms-content-sha256;x-ms-client-request-id");
  return {
    request: { method: change === "lower-case method" ? "post" : method, url: sentTarget, headers },
    authorization: headers.authorization,
    body: Buffer.from(sentBody),
  };
}

/** The verifier as a process that never saw a request before has it. */
async function freshVerifier(): Promise<typeof HmacVerifier> {
  vi.resetModules();
  return import("../src/hmacVerifier.js");
}

describe("verifyHmacSignature", () => {
  it("gives every request of a sequence the verdict of a verifier that remembers nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(variation, { minLength: 2, maxLength: 8 }), async (variations) => {
        for (const item of variations) {
          const { request, authorization, body } = requestOf(item);
          const fresh = await freshVerifier();
          for (const withBody of [false, true]) {
            const signed = withBody ? { ...request, body } : request;
            const expected = verdictOf(() => fresh.verifyHmacSignature(authorization, signed, key, NOW));
            expect(verdictOf(() => verifyHmacSignature(authorization, signed, key, NOW))).toEqual(expected);
          }
          const expectedHash = verdictOf(() => fresh.verifyContentHash(request.headers, body));
          expect(verdictOf(() => verifyContentHash(request.headers, body))).toEqual(expectedHash);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("refuses a replay with one part changed right after accepting the original", () => {
    const original = requestOf({ target: TARGETS[0], body: BODIES[0], skew: 0, change: "none" });
    expect(verdictOf(() => verifyHmacSignature(original.authorization, original.request, key, NOW))).toBe("accepted");
    expect(verdictOf(() => verifyContentHash(original.request.headers, original.body))).toBe("accepted");
    for (const change of ["method", "target", "host", "date", "content hash", "signature", "other key"] as const) {
      const altered = requestOf({ target: TARGETS[0], body: BODIES[0], skew: 0, change });
      const verdict = verdictOf(() => verifyHmacSignature(altered.authorization, { ...altered.request, body: altered.body }, key, NOW));
      expect(verdict, change).not.toBe("accepted");
      // And the original again, as before.
      expect(verdictOf(() => verifyHmacSignature(original.authorization, original.request, key, NOW))).toBe("accepted");
    }
    for (const change of ["body", "same-length body"] as const) {
      const alteredBody = requestOf({ target: TARGETS[0], body: BODIES[0], skew: 0, change });
      expect(verdictOf(() => verifyContentHash(alteredBody.request.headers, alteredBody.body))).not.toBe("accepted");
      expect(verdictOf(() => verifyContentHash(original.request.headers, original.body))).toBe("accepted");
    }
  });

  it("refuses the same request for another key right after accepting it for this one", () => {
    const { request, authorization } = requestOf({ target: TARGETS[1], body: BODIES[1], skew: 0, change: "none" });
    expect(verdictOf(() => verifyHmacSignature(authorization, request, key, NOW))).toBe("accepted");
    const refused = verdictOf(() => verifyHmacSignature(authorization, request, otherKey, NOW));
    expect(refused).toMatchObject({ status: 401, code: "Denied" });
  });

  it("refuses a request accepted a moment ago once the clock has moved 15 minutes on", () => {
    const { request, authorization } = requestOf({ target: TARGETS[0], body: BODIES[0], skew: 0, change: "none" });
    expect(verdictOf(() => verifyHmacSignature(authorization, request, key, NOW))).toBe("accepted");
    const later = new Date(NOW.getTime() + 901_000);
    expect(verdictOf(() => verifyHmacSignature(authorization, request, key, later))).toMatchObject({ explanation: { code: "ClockSkew" } });
  });
});
