/**
 * Independent check of ACS HMAC-SHA256 request signatures (shares nothing with the client's policy).
 * It recomputes the content hash from the raw body bytes and the signature from what actually
 * arrived: method, path as sent, query normalised the way the signer normalises it, date, Host.
 */
import { denied, invalidAuthenticationInfo } from "./errors.js";
import { equalText, hmacSha256, sha256Base64 } from "./sha256.js";
import { explainSignatureMismatch, signingFacts, stringToSignOf } from "./signatureDiagnosis.js";

const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const REQUIRED_SIGNED_HEADERS = ["x-ms-date", "host", "x-ms-content-sha256"];

export interface SignedRequest {
  method: string;
  /** The request target as received (`/identities?api-version=…`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /**
   * The body, when already read: its hash is then checked first. The server leaves it out: the
   * signature covers the x-ms-content-sha256 header, so it is checked from the headers alone (bad
   * credentials are refused before the body is read), and `verifyContentHash` checks the body after.
   */
  body?: Buffer;
}

/** Throws the 401 to answer when the request is not signed with `key`; its explanation says why. */
export function verifyHmacSignature(authorization: string, request: SignedRequest, key: Buffer, now: Date): void {
  const { signedHeaders, signature, unsigned } = authorizationFacts(authorization);
  if (!signedHeaders || !signature) {
    const message = "The Authorization header must carry SignedHeaders and Signature.";
    throw invalidAuthenticationInfo(message, {
      code: "MalformedAuthorization",
      header: "authorization",
      message: `${message} Expected: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64>.`,
    });
  }
  if (unsigned !== undefined) {
    const message = `The signature must cover the ${unsigned} header.`;
    throw invalidAuthenticationInfo(message, { code: "UnsignedHeader", header: unsigned, message: `${message} SignedHeaders lists ${signedHeaders.join(";")}.` });
  }
  const values: string[] = [];
  for (const name of signedHeaders) {
    const value = header(request.headers, name);
    if (value === undefined) {
      const message = `The signed header ${name} is missing.`;
      throw invalidAuthenticationInfo(message, { code: "MissingHeader", header: name, message: `${message} SignedHeaders lists it, but the request does not carry it.` });
    }
    values.push(value);
  }

  const dateText = header(request.headers, "x-ms-date")!;
  const date = parseDate(dateText);
  if (Number.isNaN(date)) {
    const message = "The x-ms-date header is not a valid date.";
    throw invalidAuthenticationInfo(message, {
      code: "InvalidDate",
      header: "x-ms-date",
      message: `${message} It was '${dateText}'; send an RFC 1123 date such as '${now.toUTCString()}'.`,
    });
  }
  // `+ 0` turns a -0 (a date a fraction of a second behind) into 0.
  const clockSkewSeconds = Math.round((date - now.getTime()) / 1000) + 0;
  if (Math.abs(now.getTime() - date) > MAX_CLOCK_SKEW_MS) {
    const message = "The x-ms-date header is more than 15 minutes away from the emulator's clock.";
    throw invalidAuthenticationInfo(message, {
      code: "ClockSkew",
      differs: "date",
      header: "x-ms-date",
      clockSkewSeconds,
      message: `${message} The request's date is ${dateText}, the emulator's clock says ${now.toUTCString()} (skew ${clockSkewSeconds} s; at most 900 s is accepted).`,
    });
  }

  const pathAndQuery = pathAndQueryOf(request.url);
  const stringToSign = stringToSignOf(request.method.toUpperCase(), pathAndQuery, values);
  if (request.body !== undefined) verifyContentHash(request.headers, request.body, { stringToSign, clockSkewSeconds });

  if (!equalText(expectedSignature(key, stringToSign), signature) && !signedLikePython(request.method, pathAndQuery, signedHeaders, values, key, signature)) {
    const parts = { method: request.method.toUpperCase(), pathAndQuery, rawTarget: request.url, signedHeaders, values, headers: request.headers };
    throw denied("The request signature does not match.", explainSignatureMismatch(parts, signature, key, clockSkewSeconds));
  }
}

// Each check above runs on every request; what they compute from the same text is kept for the next request, since
// a client sends the same Authorization header, x-ms-date and string-to-sign for every request it signs in one second.
// Each memo holds one input and the value a pure function gave for it, so it decides exactly what recomputing would.

/** The last string-to-sign verified, with the key it was verified with and the signature they give. */
let signedText = "";
let signedWith: Buffer | undefined;
let signedAs = "";

/** The base64 HMAC-SHA256 of `stringToSign` with `key` (the key's bytes never change: it is keyed by the Buffer, as sha256.ts keeps its pads). */
function expectedSignature(key: Buffer, stringToSign: string): string {
  if (stringToSign !== signedText || key !== signedWith) {
    signedAs = hmacSha256(key, stringToSign, "base64");
    signedText = stringToSign;
    signedWith = key;
  }
  return signedAs;
}

/** The last x-ms-date parsed. */
let parsedDateText: string | undefined;
let parsedDate = Number.NaN;

/** `Date.parse`, remembered for a date with an explicit zone (RFC 1123 dates end in GMT): its value does not depend on the process's time zone. */
function parseDate(text: string): number {
  if (text === parsedDateText) return parsedDate;
  const date = Date.parse(text);
  if (text.endsWith("GMT")) {
    parsedDateText = text;
    parsedDate = date;
  }
  return date;
}

/** Throws the 401 to answer when the body does not hash to the (signed) x-ms-content-sha256 header. */
export function verifyContentHash(
  headers: SignedRequest["headers"],
  body: Buffer,
  context: { stringToSign?: string; clockSkewSeconds?: number } = {},
): void {
  const contentHash = contentHashOf(body);
  const declaredHash = header(headers, "x-ms-content-sha256") ?? "";
  if (!equalText(contentHash, declaredHash)) {
    const message = "The x-ms-content-sha256 header does not match the request body.";
    throw denied(message, {
      code: "ContentHashMismatch",
      differs: "contentHash",
      header: "x-ms-content-sha256",
      message:
        `${message} The header says ${declaredHash}; the ${body.length}-byte body hashes to ${contentHash} (base64 SHA-256 of the exact bytes sent).` +
        (context.stringToSign === undefined ? "" : signingFacts(context.stringToSign, context.clockSkewSeconds)),
      ...context,
    });
  }
}

/** Bodies up to this size are remembered with their hash (clients send the same small body again and again). */
const MAX_REMEMBERED_BODY = 1024;
/** A copy of the last small body hashed, and its hash. */
let hashedBody: Buffer | undefined;
let hashedAs = "";

/** Base64 SHA-256 of `body`: the same bytes as the last small body hashed give its hash without hashing again. */
function contentHashOf(body: Buffer): string {
  if (hashedBody !== undefined && hashedBody.equals(body)) return hashedAs;
  const hash = sha256Base64(body);
  if (body.length <= MAX_REMEMBERED_BODY) {
    hashedBody = Buffer.from(body);
    hashedAs = hash;
  }
  return hash;
}

/**
 * The Python SDKs (azure-communication-*, HMACCredentialsPolicy), given an endpoint with its trailing "/"
 * (as the portal and this emulator print it) and a key credential, sign the host as `host:port/` and the
 * path without its leading "/": the same request, spelled differently. Accepted with the same key only.
 */
function signedLikePython(method: string, pathAndQuery: string, signedHeaders: readonly string[], values: string[], key: Buffer, signature: string): boolean {
  const hostIndex = signedHeaders.indexOf("host");
  if (!pathAndQuery.startsWith("/") || hostIndex < 0) return false;
  const slashed = values.map((value, index) => (index === hostIndex ? `${value}/` : value));
  const stringToSign = stringToSignOf(method.toUpperCase(), pathAndQuery.slice(1), slashed);
  return equalText(hmacSha256(key, stringToSign, "base64"), signature);
}

/** `name=value` pairs of characters URLSearchParams leaves as they are: such a query re-serialises to itself. */
const SERIALISED_QUERY = /^[\w.*-]+=[\w.*-]*(?:&[\w.*-]+=[\w.*-]*)*$/;

/** `compute`, remembering its last input and result (`compute` must be pure: a request repeats the last one's text). */
function rememberingLast<T>(compute: (text: string) => T): (text: string) => T {
  let lastText: string | undefined;
  let lastResult!: T;
  return (text) => {
    if (text !== lastText) {
      lastResult = compute(text);
      lastText = text;
    }
    return lastResult;
  };
}

/** Path exactly as sent; query re-serialised like `URLSearchParams#toString` (what the signer uses). */
const pathAndQueryOf = rememberingLast(normalisePathAndQuery);

function normalisePathAndQuery(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  if (SERIALISED_QUERY.test(url.slice(q + 1))) return url;
  const query = new URLSearchParams(url.slice(q + 1)).toString();
  return query === "" ? url.slice(0, q) : `${url.slice(0, q)}?${query}`;
}

/** What an Authorization header says: the signed header names (lower-case, as listed), the signature, and the first required header it does not sign. */
interface AuthorizationFacts {
  readonly signedHeaders?: readonly string[];
  readonly signature?: string;
  readonly unsigned?: string;
}

/** What an Authorization header says (frozen: every request that sends the same header shares it). */
const authorizationFacts = rememberingLast(factsOf);

function factsOf(authorization: string): AuthorizationFacts {
  const params = parseAuthorization(authorization);
  const signedHeaders = params.get("signedheaders")?.toLowerCase().split(";");
  const signature = params.get("signature");
  if (!signedHeaders || !signature) return Object.freeze({ signedHeaders: signedHeaders && Object.freeze(signedHeaders), signature });
  const unsigned = REQUIRED_SIGNED_HEADERS.find((name) => !signedHeaders.includes(name));
  return Object.freeze({ signedHeaders: Object.freeze(signedHeaders), signature, unsigned });
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
