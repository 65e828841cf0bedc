import { AzureKeyCredential } from "@azure/core-auth";
import { validateEndpoint } from "./validateEndpoint.js";

/** What a connection string holds once parsed: the resource endpoint and its access key. */
export interface ParsedConnectionString {
  /** The endpoint without a trailing slash, e.g. `https://contoso.communication.azure.com`. */
  endpoint: string;
  /** The access key as a credential (HMAC-SHA256 signing). */
  credential: AzureKeyCredential;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses `endpoint=<url>;accesskey=<base64 key>` (keys case-insensitive, whitespace and a
 * trailing `;` tolerated). Errors name what is wrong and never echo the key or the whole string.
 */
export function parseConnectionString(connectionString: string): ParsedConnectionString {
  if (typeof connectionString !== "string" || connectionString.trim() === "") {
    throw new Error("Invalid connection string: expected a non-empty string of the form endpoint=<url>;accesskey=<key>");
  }
  let endpoint: string | undefined;
  let accessKey: string | undefined;
  for (const part of connectionString.split(";")) {
    if (part.trim() === "") continue;
    const separator = part.indexOf("=");
    if (separator <= 0) {
      throw new Error("Invalid connection string: every part must be name=value (endpoint=<url>;accesskey=<key>)");
    }
    const name = part.slice(0, separator).trim().toLowerCase();
    // The key's base64 padding contains "=", so only the first "=" separates name from value.
    const value = part.slice(separator + 1).trim();
    if (name === "endpoint") {
      if (endpoint !== undefined) throw new Error("Invalid connection string: endpoint is given more than once");
      endpoint = value;
    } else if (name === "accesskey") {
      if (accessKey !== undefined) throw new Error("Invalid connection string: accesskey is given more than once");
      accessKey = value;
    }
  }
  if (endpoint === undefined || endpoint === "") throw new Error("Invalid connection string: endpoint is missing");
  if (accessKey === undefined || accessKey === "") throw new Error("Invalid connection string: accesskey is missing");
  if (!BASE64.test(accessKey)) throw new Error("Invalid connection string: accesskey is not valid base64");
  return { endpoint: validateEndpoint(endpoint), credential: new AzureKeyCredential(accessKey) };
}
