/**
 * SHA-256 and HMAC-SHA256 for the request path (the content hash and signature of every signed request, the
 * signature of every token minted). Where Node has the one-shot `crypto.hash` (20.12+), each is one native call on
 * a reused buffer instead of a Hash/Hmac stream object per call; elsewhere the streaming API. Same bytes out.
 */
import crypto, { createHash, createHmac, type BinaryToTextEncoding } from "node:crypto";

type OneShot = (algorithm: string, data: Uint8Array | string, outputEncoding: BinaryToTextEncoding | "latin1" | "buffer") => string | Buffer;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

const BLOCK = 64;
const DIGEST = 32;
const MAX_SCRATCH = 16 * 1024;

/** Base64 SHA-256 of `data` (the `x-ms-content-sha256` of a body). */
export function sha256Base64(data: Buffer): string {
  return oneShot ? (oneShot("sha256", data, "base64") as string) : createHash("sha256").update(data).digest("base64");
}

/** An HMAC-SHA256 key with its inner and outer pads computed once (RFC 2104). */
class HmacSha256 {
  private readonly innerPad = Buffer.alloc(BLOCK, 0x36);
  /** The outer pad, then room for the inner digest: the outer hash's whole input. */
  private readonly outer = Buffer.alloc(BLOCK + DIGEST, 0x5c);
  /** The inner pad, then the message: grown when a message does not fit (up to MAX_SCRATCH). */
  private scratch = Buffer.alloc(BLOCK + 1024);
  /** The scratch's first bytes as the last message left them: pad and message. */
  private view: Buffer | undefined;

  constructor(private readonly key: Buffer) {
    const block = key.length > BLOCK ? createHash("sha256").update(key).digest() : key;
    for (let index = 0; index < block.length; index++) {
      this.innerPad[index] ^= block[index];
      this.outer[index] ^= block[index];
    }
    this.innerPad.copy(this.scratch);
  }

  /** HMAC-SHA256 of the UTF-8 bytes of `message`. */
  sign(message: string, encoding: "base64" | "base64url"): string;
  sign(message: string, encoding: "buffer"): Buffer;
  sign(message: string, encoding: "base64" | "base64url" | "buffer"): string | Buffer {
    // At most 3 UTF-8 bytes per UTF-16 unit: a message that surely fits is written without measuring it first.
    const length = message.length * 3 <= this.scratch.length - BLOCK ? -1 : Buffer.byteLength(message, "utf8");
    // A large message (a token in a request body, say) is not worth keeping a buffer for.
    if (!oneShot || length > MAX_SCRATCH) {
      const hmac = createHmac("sha256", this.key).update(message, "utf8");
      return encoding === "buffer" ? hmac.digest() : hmac.digest(encoding);
    }
    if (BLOCK + length > this.scratch.length) {
      this.scratch = Buffer.alloc(BLOCK + length);
      this.innerPad.copy(this.scratch);
      this.view = undefined;
    }
    const end = BLOCK + this.scratch.write(message, BLOCK, "utf8");
    // One view per message length (messages of a kind have the same length), not one per call.
    if (this.view?.length !== end) this.view = this.scratch.subarray(0, end);
    // Both calls are synchronous, so the reused buffers never hold two requests at once. The inner digest comes
    // back as latin1 text (one char per byte), cheaper than a Buffer, and goes into the outer input byte for byte.
    this.outer.write(oneShot("sha256", this.view, "latin1") as string, BLOCK, "latin1");
    return oneShot("sha256", this.outer, encoding);
  }
}

const keys = new WeakMap<Buffer, HmacSha256>();

/** HMAC-SHA256 of the UTF-8 bytes of `message` with `key` (the key's pads are kept for the next call with the same Buffer). */
export function hmacSha256(key: Buffer, message: string, encoding: "base64" | "base64url"): string;
export function hmacSha256(key: Buffer, message: string, encoding: "buffer"): Buffer;
export function hmacSha256(key: Buffer, message: string, encoding: "base64" | "base64url" | "buffer"): string | Buffer {
  let hmac = keys.get(key);
  if (!hmac) keys.set(key, (hmac = new HmacSha256(key)));
  return encoding === "buffer" ? hmac.sign(message, encoding) : hmac.sign(message, encoding);
}

/** Equal strings, compared in time that depends on their length only (no Buffer per side). */
export function equalText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}
