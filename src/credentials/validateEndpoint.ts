/**
 * Checks that `endpoint` is `http(s)://host[:port][/]` with no path, query, fragment or user
 * info, and returns it without the trailing slash. Throws `Invalid endpoint url <url>`.
 */
export function validateEndpoint(endpoint: string): string {
  if (typeof endpoint === "string" && /^https?:\/\/[^/?#@\s]+\/?$/i.test(endpoint)) {
    try {
      const url = new URL(endpoint);
      return `${url.protocol}//${url.host}`;
    } catch {
      // Falls through to the error below (e.g. an invalid port).
    }
  }
  throw new Error(`Invalid endpoint url ${String(endpoint)}`);
}
