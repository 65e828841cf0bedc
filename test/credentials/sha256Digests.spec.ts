import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as browser from "../../src/credentials/sha256Digests-browser.js";
import * as node from "../../src/credentials/sha256Digests.js";

// The browser twin (Web Crypto, which Node also has) must give the Node twin's digests for any text and key.
describe("sha256Digests-browser", () => {
  it("hashes UTF-8 text as the Node twin does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme" }), async (text) => {
        expect(await browser.computeSha256Hash(text, "base64")).toBe(await node.computeSha256Hash(text, "base64"));
      }),
    );
  });

  it("signs with a base64 key as the Node twin does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 96 }), fc.string({ unit: "grapheme" }), async (keyBytes, text) => {
        const key = Buffer.from(keyBytes).toString("base64");
        expect(await browser.computeSha256Hmac(key, text, "base64")).toBe(await node.computeSha256Hmac(key, text, "base64"));
      }),
    );
  });
});
