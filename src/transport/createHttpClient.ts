import type { HttpClient } from "@azure/core-rest-pipeline";
import { defaultConnectionPools } from "./http1Exchange.js";
import { createNodeHttpClient } from "./nodeHttpClient.js";

let defaultHttpClient: HttpClient | undefined;

/**
 * The HTTP client used when the caller does not pass `httpClient` (Node build): the lean HTTP/1.1
 * transport, one per process like core-client's cached default client, so every client in the
 * process shares its keep-alive connections (connections are a process's resource, not a client's).
 */
export function createHttpClient(): HttpClient {
  return (defaultHttpClient ??= createNodeHttpClient(defaultConnectionPools));
}
