/**
 * Why an HMAC signature did not match: re-signs the request with one part changed at a time (the
 * mistakes clients make: a path from an endpoint with a trailing slash, a host without its port,
 * a key used as text) and names the part whose change makes the client's signature match.
 * Only runs on a refusal; it reports the values the client evidently signed, never a key or a signature.
 */
import { createHmac } from "node:crypto";
import type { Explanation } from "./errors.js";
import { equalText, sha256Base64 } from "./sha256.js";

export interface SigningParts {
  method: string;
  pathAndQuery: string;
  /** The path and query exactly as sent (before the query is re-serialised). */
  rawTarget: string;
  /** The signed header names, lower-case, in the order the client listed them. */
  signedHeaders: readonly string[];
  /** Their values as received, in the same order. */
  values: readonly string[];
  /** All request headers, to try a value the client may have signed instead (`date`, `x-forwarded-host`). */
  headers: Record<string, string | string[] | undefined>;
}

interface Candidate {
  differs: NonNullable<Explanation["differs"]>;
  /** What the client evidently signed for that part, and a sentence about it. */
  signed: string;
  hint: string;
  stringToSign: string;
  key?: Buffer;
}

/** `METHOD\npathAndQuery\nvalue;value;value`: what an ACS HMAC signature signs (CONTRACT §5). */
export function stringToSignOf(method: string, pathAndQuery: string, values: readonly string[]): string {
  return `${method}\n${pathAndQuery}\n${values.join(";")}`;
}

/** The sentence every signature refusal ends with (SDKs keep only an innererror's code and message, so the message carries the facts too). */
export function signingFacts(stringToSign: string, clockSkewSeconds: number | undefined): string {
  return ` The emulator's string-to-sign: ${JSON.stringify(stringToSign)}; clock skew ${clockSkewSeconds} s.`;
}

/** The explanation for a signature that does not verify with `key`. */
export function explainSignatureMismatch(parts: SigningParts, signature: string, key: Buffer, clockSkewSeconds: number): Explanation {
  const stringToSign = stringToSignOf(parts.method, parts.pathAndQuery, parts.values);
  const base = { code: "SignatureMismatch", stringToSign, clockSkewSeconds };
  const facts = signingFacts(stringToSign, clockSkewSeconds);
  for (const candidate of candidates(parts, key)) {
    const expected = createHmac("sha256", candidate.key ?? key).update(candidate.stringToSign, "utf8").digest("base64");
    if (equalText(expected, signature)) {
      return { ...base, differs: candidate.differs, clientSigned: candidate.signed, message: candidate.hint + facts };
    }
  }
  return {
    ...base,
    differs: "unknown",
    message:
      "The signature matches no variant of this request's method, path, date, host or content hash: the client most likely signed with a different access key than this resource's (compare the connection string's accesskey with the emulator's)." +
      facts,
  };
}

function* candidates(parts: SigningParts, key: Buffer): Generator<Candidate> {
  const { method, pathAndQuery, values } = parts;
  const at = (name: string) => parts.signedHeaders.indexOf(name);
  const withValue = (index: number, value: string) => values.map((v, i) => (i === index ? value : v));

  // Path and query.
  const q = pathAndQuery.indexOf("?");
  const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  const query = q < 0 ? "" : pathAndQuery.slice(q);
  const paths = new Set<string>();
  if (parts.rawTarget !== pathAndQuery) paths.add(parts.rawTarget);
  if (path.startsWith("//")) paths.add(path.replace(/^\/+/, "/") + query);
  else paths.add(`/${path}${query}`);
  paths.add(path.endsWith("/") ? path.slice(0, -1) + query : `${path}/${query}`);
  paths.add(safeDecode(path) + query);
  paths.add(pathAndQuery.replace(/^\/+/, ""));
  if (query !== "") paths.add(path);
  paths.delete(pathAndQuery);
  for (const signed of paths) {
    yield {
      differs: "path",
      signed,
      hint: `The client signed the path and query '${signed}', but the request was sent to '${pathAndQuery}'${path.startsWith("//") ? " (an endpoint ending in '/' joined with a path starting with '/'?)" : ""}.`,
      stringToSign: stringToSignOf(method, signed, values),
    };
  }

  // Method.
  if (method !== method.toLowerCase()) {
    yield {
      differs: "method",
      signed: method.toLowerCase(),
      hint: `The client signed the method in lower case ('${method.toLowerCase()}'); the string-to-sign has it upper-case.`,
      stringToSign: stringToSignOf(method.toLowerCase(), pathAndQuery, values),
    };
  }

  // Host.
  const hostIndex = at("host");
  if (hostIndex >= 0) {
    const host = values[hostIndex];
    const hosts = new Set<string>();
    const colon = host.lastIndexOf(":");
    const hasPort = colon > host.lastIndexOf("]");
    const name = hasPort ? host.slice(0, colon) : host;
    const port = hasPort ? host.slice(colon) : "";
    if (hasPort) hosts.add(name);
    else for (const p of [":443", ":80"]) hosts.add(host + p);
    for (const alias of ["localhost", "127.0.0.1", "[::1]"]) hosts.add(alias + port);
    const forwarded = single(parts.headers["x-forwarded-host"]);
    if (forwarded) hosts.add(forwarded);
    hosts.delete(host);
    for (const signed of hosts) {
      yield {
        differs: "host",
        signed,
        hint: `The client signed the host '${signed}', but the request arrived with Host '${host}'.`,
        stringToSign: stringToSignOf(method, pathAndQuery, withValue(hostIndex, signed)),
      };
    }
  }

  // Date.
  const dateIndex = at("x-ms-date");
  const date = single(parts.headers.date);
  if (dateIndex >= 0 && date !== undefined && date !== values[dateIndex]) {
    yield {
      differs: "date",
      signed: date,
      hint: `The client signed the Date header's value '${date}', not the x-ms-date it sent ('${values[dateIndex]}').`,
      stringToSign: stringToSignOf(method, pathAndQuery, withValue(dateIndex, date)),
    };
  }

  // Content hash (the header itself matched the body, or the verifier would have said so).
  const hashIndex = at("x-ms-content-sha256");
  if (hashIndex >= 0) {
    const emptyHash = sha256Base64(Buffer.alloc(0));
    if (values[hashIndex] !== emptyHash) {
      yield {
        differs: "contentHash",
        signed: emptyHash,
        hint: "The client signed the hash of an empty body, but the request has a body.",
        stringToSign: stringToSignOf(method, pathAndQuery, withValue(hashIndex, emptyHash)),
      };
    }
  }

  // The key's base64 text used as the HMAC key instead of its decoded bytes.
  yield {
    differs: "key",
    signed: "the access key's text",
    hint: "The client used the access key's base64 text as the HMAC key; the key is the base64-decoded bytes.",
    stringToSign: stringToSignOf(method, pathAndQuery, values),
    key: Buffer.from(key.toString("base64"), "utf8"),
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
