/**
 * The request path's shortcuts (one-shot SHA-256 and HMAC-SHA256, the request log formatting entries when read)
 * give exactly what the plain computations they replace give.
 */
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { RequestLog, type RequestLogEntry } from "../src/requestLog.js";
import { hmacSha256, sha256Base64 } from "../src/sha256.js";
import { signedRequest } from "../../test/helpers/emulatorSigner.js";

const reference = (key: Uint8Array, message: string) => createHmac("sha256", key).update(message, "utf8");

describe("hmacSha256", () => {
  it("equals node:crypto's HMAC-SHA256 for keys shorter and longer than a block and any text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), fc.string({ unit: "binary", maxLength: 300 }), (bytes, message) => {
        const key = Buffer.from(bytes);
        expect(hmacSha256(key, message, "base64")).toBe(reference(key, message).digest("base64"));
        expect(hmacSha256(key, message, "base64url")).toBe(reference(key, message).digest("base64url"));
        expect(hmacSha256(key, message, "buffer").equals(reference(key, message).digest())).toBe(true);
      }),
    );
  });

  it("stays right for one key across short, longer and very large messages", () => {
    const key = Buffer.alloc(32, 7);
    for (const message of ["a", "b".repeat(3000), "c", "é".repeat(40_000), "", "\ud800 lone surrogate", "d".repeat(1500)]) {
      expect(hmacSha256(key, message, "base64")).toBe(reference(key, message).digest("base64"));
    }
  });
});

describe("sha256Base64", () => {
  it("equals node:crypto's SHA-256 of the same bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        const data = Buffer.from(bytes);
        expect(sha256Base64(data)).toBe(createHash("sha256").update(data).digest("base64"));
      }),
    );
  });
});

describe("RequestLog.recordAnswered", () => {
  const answered = {
    atMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    method: "POST",
    path: "/identities",
    target: "/identities?x=1&api-version=2025-03-02-preview",
    status: 401,
    durationMs: 3,
    code: "Denied",
    explanation: { code: "SignatureMismatch", message: "why" },
  };
  const expected: RequestLogEntry = {
    seq: 1,
    at: "2026-01-02T03:04:05.678Z",
    method: "POST",
    path: "/identities",
    apiVersion: "2025-03-02-preview",
    status: 401,
    durationMs: 3,
    code: "Denied",
    explanation: { code: "SignatureMismatch", message: "why" },
  };

  it("lists an answer as the entry record() stores, keys in the same order", () => {
    const log = new RequestLog();
    log.recordAnswered(answered);
    expect(JSON.stringify(log.list())).toBe(JSON.stringify([expected]));
  });

  it("leaves out apiVersion, code, explanation and fault when the answer has none", () => {
    const log = new RequestLog();
    log.recordAnswered({ atMs: 0, method: "GET", path: "/x", target: "/x?other=1", status: 200, durationMs: 0, code: undefined });
    expect(log.list()).toEqual([{ seq: 1, at: "1970-01-01T00:00:00.000Z", method: "GET", path: "/x", status: 200, durationMs: 0 }]);
  });

  it("hands a subscriber the formatted entry when the answer is recorded", () => {
    const log = new RequestLog();
    const seen: RequestLogEntry[] = [];
    log.subscribe((entry) => seen.push(entry));
    log.recordAnswered(answered);
    expect(seen).toEqual([expected]);
  });

  it("gives every reader its own copy", () => {
    const log = new RequestLog();
    log.recordAnswered(answered);
    log.list()[0].explanation!.message = "changed";
    expect(log.list()[0].explanation).toEqual({ code: "SignatureMismatch", message: "why" });
  });
});

describe("the request log of a running emulator", () => {
  let emulator: IdentityEmulator;
  let clockMs = Date.UTC(2026, 5, 1, 12, 0, 0);
  beforeAll(async () => {
    emulator = await startIdentityEmulator({ port: 0, now: () => new Date(clockMs) });
  });
  afterAll(() => emulator.close());

  it("stamps an answer with the emulator's clock when it was sent, however the clock moves before the log is read", async () => {
    const res = await signedRequest(emulator, "POST", "/identities?api-version=2025-03-02-preview", { date: new Date(clockMs) });
    expect(res.status).toBe(201);
    clockMs += 3_600_000;
    emulator.setClock(60);
    expect(emulator.requests().at(-1)).toMatchObject({ at: "2026-06-01T12:00:00.000Z", method: "POST", path: "/identities", status: 201 });
  });
});
