/**
 * Checks that `endpoint` is `http(s)://host[:port][/]` with no path, query or fragment, and
 * returns it without the trailing slash (so paths can be appended). Throws `Invalid endpoint url <url>`.
 */
export function validateEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`Invalid endpoint url ${endpoint}`);
  }
  const valid =
    (url.protocol === "https:" || url.protocol === "http:") &&
    url.hostname !== "" &&
    url.username === "" &&
    url.password === "" &&
    url.pathname === "/" &&
    url.search === "" &&
    url.hash === "" &&
    !/[?#]/.test(endpoint);
  if (!valid) throw new Error(`Invalid endpoint url ${endpoint}`);
  return `${url.protocol}//${url.host}`;
}
