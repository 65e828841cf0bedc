/** Records what the client hands to the browser's fetch, without changing what is sent. */
import { afterEach } from "vitest";

export interface RecordedFetch {
  url: string;
  method: string;
  headers: Headers;
}

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

/** Wraps `globalThis.fetch` until the current test ends; returns the live list of calls. */
export function recordFetch(): RecordedFetch[] {
  const calls: RecordedFetch[] = [];
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    calls.push({ url, method: init?.method ?? "GET", headers: new Headers(init?.headers) });
    return realFetch(input, init);
  };
  return calls;
}
