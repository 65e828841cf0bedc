import { createHash, createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { equalText, hmacSha256, sha256Base64 } from "../src/sha256.js";

// Node's own streaming Hmac is the reference: the emulator's reused-buffer HMAC must give the same bytes for any message.
const reference = (key: Buffer, message: string) => createHmac("sha256", key).update(message, "utf8").digest();

// Any UTF-16 text, lone surrogates included (they encode as U+FFFD, in both).
const text = fc.string({ unit: "binary", maxLength: 800 });

describe("hmacSha256", () => {
  it("equals Node's Hmac for any message, key length and encoding", () => {
    const keys = [randomBytes(32), randomBytes(64), randomBytes(100), Buffer.alloc(0)];
    fc.assert(
      fc.property(text, fc.constantFrom(...keys), (message, key) => {
        const expected = reference(key, message);
        expect(hmacSha256(key, message, "base64")).toBe(expected.toString("base64"));
        expect(hmacSha256(key, message, "base64url")).toBe(expected.toString("base64url"));
        expect(hmacSha256(key, message, "buffer").equals(expected)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("equals Node's Hmac for messages longer than its buffer, then again for short ones", () => {
    const key = randomBytes(32);
    for (const length of [1023, 1024, 1500, 5000, 16 * 1024, 16 * 1024 + 1, 40_000, 10, 0]) {
      for (const unit of ["a", "é", "€", "😀"]) {
        const message = unit.repeat(Math.ceil(length / unit.length));
        expect(hmacSha256(key, message, "base64")).toBe(reference(key, message).toString("base64"));
      }
    }
  });

  it("keeps the messages of alternating lengths apart", () => {
    const key = randomBytes(32);
    const messages = ["short", "a somewhat longer message", "short", "", "x".repeat(2000), "short"];
    for (const message of messages) expect(hmacSha256(key, message, "base64")).toBe(reference(key, message).toString("base64"));
  });
});

describe("sha256Base64", () => {
  it("equals Node's Hash for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const data = Buffer.from(bytes);
        expect(sha256Base64(data)).toBe(createHash("sha256").update(data).digest("base64"));
      }),
    );
  });
});

describe("equalText", () => {
  it("is string equality", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(equalText(a, b)).toBe(a === b);
      }),
    );
    expect(equalText("abc", "abc")).toBe(true);
  });
});
