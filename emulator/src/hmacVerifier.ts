/**
 * Independent check of ACS HMAC-SHA256 request signatures (shares nothing with the client's policy).
 * It recomputes the content hash from the raw body bytes and the signature from what actually
 * arrived: method, path as sent, query normalised the way the signer normalises it, date, Host.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { denied, invalidAuthenticationInfo } from "./errors.js";

const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const REQUIRED_SIGNED_HEADERS = ["x-ms-date", "host", "x-ms-content-sha256"];

export interface SignedRequest {
  method: string;
  /** The request target as received (`/identities?api-version=…`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Throws the 401 to answer when the request is not signed with `key`. */
export function verifyHmacSignature(authorization: string, request: SignedRequest, key: Buffer, now: Date): void {
  const params = parseAuthorization(authorization);
  const signedHeaders = params.get("signedheaders")?.toLowerCase().split(";");
  const signature = params.get("signature");
  if (!signedHeaders || !signature) {
    throw invalidAuthenticationInfo("The Authorization header must carry SignedHeaders and Signature.");
  }
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (!signedHeaders.includes(name)) throw invalidAuthenticationInfo(`The signature must cover the ${name} header.`);
  }
  const values: string[] = [];
  for (const name of signedHeaders) {
    const value = header(request.headers, name);
    if (value === undefined) throw invalidAuthenticationInfo(`The signed header ${name} is missing.`);
    values.push(value);
  }

  const date = Date.parse(header(request.headers, "x-ms-date")!);
  if (Number.isNaN(date)) throw invalidAuthenticationInfo("The x-ms-date header is not a valid date.");
  if (Math.abs(now.getTime() - date) > MAX_CLOCK_SKEW_MS) {
    throw invalidAuthenticationInfo("The x-ms-date header is more than 15 minutes away from the emulator's clock.");
  }

  const contentHash = createHash("sha256").update(request.body).digest("base64");
  if (!equalText(contentHash, header(request.headers, "x-ms-content-sha256")!)) {
    throw denied("The x-ms-content-sha256 header does not match the request body.");
  }

  const stringToSign = `${request.method.toUpperCase()}\n${pathAndQuery(request.url)}\n${values.join(";")}`;
  const expected = createHmac("sha256", key).update(stringToSign, "utf8").digest("base64");
  if (!equalText(expected, signature)) throw denied("The request signature does not match.");
}

/** Path exactly as sent; query re-serialised like `URLSearchParams#toString` (what the signer uses). */
function pathAndQuery(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const query = new URLSearchParams(url.slice(q + 1)).toString();
  return query === "" ? url.slice(0, q) : `${url.slice(0, q)}?${query}`;
}

function parseAuthorization(authorization: string): Map<string, string> {
  const params = new Map<string, string>();
  const rest = authorization.slice("hmac-sha256".length).trim();
  for (const part of rest.split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return params;
}

function header(headers: SignedRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
