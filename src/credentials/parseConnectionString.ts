import type { KeyCredential } from "@azure/core-auth";
import { validateEndpoint } from "./validateEndpoint.js";

/** What a connection string holds once parsed: the resource endpoint and its access key. */
export interface ParsedConnectionString {
  /** The endpoint without a trailing slash, e.g. `https://contoso.communication.azure.com`. */
  endpoint: string;
  /** The access key (HMAC-SHA256 signing). */
  credential: KeyCredential;
}

/**
 * Parses `endpoint=<url>;accesskey=<base64 key>` (keys case-insensitive, whitespace and a
 * trailing `;` tolerated). Errors name what is wrong and never echo the key or the whole string.
 */
export function parseConnectionString(connectionString: string): ParsedConnectionString {
  const parts = new Map<string, string>();
  for (const part of String(connectionString ?? "").split(";")) {
    if (part.trim() === "") continue;
    // The key's base64 padding contains "=", so only the first "=" separates name from value.
    const separator = part.indexOf("=");
    if (separator <= 0) throw invalid("expected endpoint=<url>;accesskey=<key>");
    parts.set(part.slice(0, separator).trim().toLowerCase(), part.slice(separator + 1).trim());
  }
  const endpoint = parts.get("endpoint");
  const key = parts.get("accesskey");
  if (!endpoint) throw invalid("endpoint is missing");
  if (!key) throw invalid("accesskey is missing");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw invalid("accesskey is not valid base64");
  return { endpoint: validateEndpoint(endpoint), credential: { key } };
}

const invalid = (problem: string): Error => new Error(`Invalid connection string: ${problem}`);
