/** Minimal HS256 JWT signing and checking: every token the emulator mints or accepts goes through here. */
import { timingSafeEqual } from "node:crypto";
import { isObject } from "./jsonInput.js";
import { hmacSha256 } from "./sha256.js";

export type JwtClaims = Record<string, unknown>;

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

export function signJwt(claims: JwtClaims, secret: Buffer): string {
  return signJwtJson(JSON.stringify(claims), secret);
}

/** Where a payload is encoded: a token is minted per request, and a Buffer per payload would be garbage at once. */
const scratch = Buffer.alloc(4096);

/** `signJwt` for claims already serialised: `payloadJson` is exactly what `JSON.stringify(claims)` gives. */
export function signJwtJson(payloadJson: string, secret: Buffer): string {
  // At most 3 UTF-8 bytes per UTF-16 unit: a payload that may not fit gets a Buffer of its own.
  const payload =
    payloadJson.length * 3 <= scratch.length
      ? scratch.toString("base64url", 0, scratch.write(payloadJson, 0, "utf8"))
      : Buffer.from(payloadJson).toString("base64url");
  const signingInput = `${HEADER}.${payload}`;
  const signature = hmacSha256(secret, signingInput, "base64url");
  return `${signingInput}.${signature}`;
}

export type JwtCheck =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: "malformed" | "bad-signature"; claims?: undefined };

/** Parses and checks the signature; time-based checks are the caller's business. */
export function verifyJwt(token: unknown, secret: Buffer): JwtCheck {
  if (typeof token !== "string") return { ok: false, reason: "malformed" };
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return { ok: false, reason: "malformed" };
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (!isObject(header) || !isObject(claims)) return { ok: false, reason: "malformed" };
  if (header.alg !== "HS256") return { ok: false, reason: "bad-signature" };
  const expected = hmacSha256(secret, `${parts[0]}.${parts[1]}`, "buffer");
  const given = Buffer.from(parts[2], "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad-signature" };
  return { ok: true, claims };
}
