import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";

/** The HTTP client used when the caller does not pass `httpClient` (Node build). */
export function createHttpClient(): HttpClient {
  return createDefaultHttpClient();
}
