import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";

/** The HTTP client used when the caller does not pass `httpClient` (browser build: fetch). */
export function createHttpClient(): HttpClient {
  return createDefaultHttpClient();
}
