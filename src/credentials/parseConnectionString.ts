import type { KeyCredential } from "@azure/core-auth";
import { validateEndpoint } from "./validateEndpoint.js";

/** What a connection string holds once parsed: the resource endpoint and its access key. */
export interface ParsedConnectionString {
  /** The endpoint without a trailing slash, e.g. `https://contoso.communication.azure.com`. */
  endpoint: string;
  /** The access key (HMAC-SHA256 signing). */
  credential: KeyCredential;
}

/** What a connection string looks like, for error messages (never the caller's value: it holds a key). */
export const CONNECTION_STRING_FORMAT = "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>";

/**
 * Parses `endpoint=<url>;accesskey=<base64 key>` (keys case-insensitive, whitespace and a
 * trailing `;` tolerated). Like the official package, it also accepts the string wrapped in quotes
 * and whitespace, as .env files and shells leave it. Errors name what is wrong and never echo the
 * key or the whole string.
 */
export function parseConnectionString(connectionString: string): ParsedConnectionString {
  if (connectionString === undefined || connectionString === null) {
    throw invalid(`it is ${String(connectionString)} (an unset environment variable?); expected ${CONNECTION_STRING_FORMAT}`);
  }
  if (typeof connectionString !== "string") throw invalid(`expected a string, got ${typeof connectionString}`);
  // Without surrounding whitespace and quotes (`"…"` or `'…'`, also one left unbalanced, as the official package tolerates).
  const text = connectionString.trim().replace(/^["']|["']$/g, "").trim();
  if (text === "") throw invalid(`it is empty; expected ${CONNECTION_STRING_FORMAT}`);
  const parts = new Map<string, string>();
  for (const part of text.split(";")) {
    if (part.trim() === "") continue;
    // The key's base64 padding contains "=", so only the first "=" separates name from value.
    const separator = part.indexOf("=");
    if (separator <= 0) {
      throw invalid(
        /^https?:\/\//i.test(text) && !text.includes(";")
          ? `it looks like an endpoint url alone: pass a credential with it, or use ${CONNECTION_STRING_FORMAT}`
          : "expected endpoint=<url>;accesskey=<key>",
      );
    }
    parts.set(part.slice(0, separator).trim().toLowerCase(), part.slice(separator + 1).trim());
  }
  const endpoint = parts.get("endpoint");
  const key = parts.get("accesskey");
  if (!endpoint) throw invalid("endpoint is missing");
  if (!key) throw invalid("accesskey is missing");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw invalid("accesskey is not valid base64");
  return { endpoint: validateEndpoint(endpoint), credential: { key } };
}

/** Whether `value` looks like a connection string (to refuse one where an endpoint belongs, without echoing it). */
export function looksLikeConnectionString(value: unknown): boolean {
  return typeof value === "string" && /(^|;)\s*["']?\s*(endpoint|accesskey)\s*=/i.test(value);
}

const invalid = (problem: string): Error => new Error(`Invalid connection string: ${problem}`);
