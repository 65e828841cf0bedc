import type { HttpClient } from "@azure/core-rest-pipeline";
import { createFetchHttpClient } from "./fetchHttpClient.js";

let defaultHttpClient: HttpClient | undefined;

/** The HTTP client used when the caller does not pass `httpClient` (browser build: fetch), one per page. */
export function createHttpClient(): HttpClient {
  return (defaultHttpClient ??= createFetchHttpClient());
}
