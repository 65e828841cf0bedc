import type { HttpClient } from "@azure/core-rest-pipeline";
import { createNodeHttpClient } from "./nodeHttpClient.js";

/** The HTTP client used when the caller does not pass `httpClient` (Node build): lean `node:http(s)` transport. */
export function createHttpClient(): HttpClient {
  return createNodeHttpClient();
}
