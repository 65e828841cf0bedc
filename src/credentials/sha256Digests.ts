import { createHash, createHmac } from "node:crypto";

// Same signatures as @azure/core-util's helpers (the browser twin calls Web Crypto), but synchronous:
// node:crypto needs no promise, and an async helper costs two promise hops per signed request.

const EMPTY_BODY_HASH = createHash("sha256").update("").digest("base64");
let decodedFor: string | undefined;
let decodedKey: Buffer = Buffer.alloc(0);

/** SHA-256 of UTF-8 text, base64. */
export function computeSha256Hash(content: string, _encoding: "base64"): string | Promise<string> {
  return sha256Base64(content);
}

/** HMAC-SHA256 of UTF-8 text under a base64 key, base64; the decoded key is kept until the key changes. */
export function computeSha256Hmac(key: string, stringToSign: string, _encoding: "base64"): string | Promise<string> {
  return hmacSha256Base64(key, stringToSign);
}

/** {@link computeSha256Hash} typed as what it is in Node: synchronous. */
export function sha256Base64(content: string): string {
  return content === "" ? EMPTY_BODY_HASH : createHash("sha256").update(content).digest("base64");
}

/** {@link computeSha256Hmac} typed as what it is in Node: synchronous. */
export function hmacSha256Base64(key: string, stringToSign: string): string {
  if (key !== decodedFor) {
    decodedKey = Buffer.from(key, "base64");
    decodedFor = key;
  }
  return createHmac("sha256", decodedKey).update(stringToSign).digest("base64");
}
