/**
 * Checks that `endpoint` is `http(s)://host[:port][/]` with no path, query, fragment or user
 * info, and returns it without the trailing slash. Throws `Invalid endpoint url <url>`, except
 * that a value which may hold a secret (user info, or a connection string passed where the
 * endpoint belongs) is not echoed.
 */
export function validateEndpoint(endpoint: string): string {
  if (typeof endpoint === "string") {
    if (/^https?:\/\/[^/?#@\s]+\/?$/i.test(endpoint)) {
      try {
        // For http(s), the origin is exactly `protocol//host`, the port omitted when it is the default.
        return new URL(endpoint).origin;
      } catch {
        // Falls through to the errors below (e.g. an invalid port).
      }
    }
    if (/[@;]|accesskey/i.test(endpoint)) throw new Error("Invalid endpoint url (hidden: it may hold a secret)");
  }
  throw new Error(`Invalid endpoint url ${String(endpoint)}`);
}
