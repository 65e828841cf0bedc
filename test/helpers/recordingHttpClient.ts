/**
 * Wraps a real transport and records every attempt as it goes on the wire: when it left, its
 * headers and body, and how it ended. Retry, abort and signing tests read attempts from here.
 */
import type { HttpClient, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { createHttpClient } from "../../src/transport/createHttpClient.js";

export interface RecordedAttempt {
  /** `Date.now()` when the transport received the request. */
  sentAt: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The status, or the error's code/name once settled; undefined while in flight. */
  outcome?: number | string;
  /** The response body as received (empty for errors and bodiless answers). */
  responseText?: string;
}

export interface RecordingHttpClient extends HttpClient {
  readonly attempts: RecordedAttempt[];
}

export function createRecordingHttpClient(inner: HttpClient = createHttpClient()): RecordingHttpClient {
  const attempts: RecordedAttempt[] = [];
  return {
    attempts,
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const attempt: RecordedAttempt = {
        sentAt: Date.now(),
        method: request.method,
        url: request.url,
        headers: request.headers.toJSON(),
        body: typeof request.body === "string" ? request.body : "",
      };
      attempts.push(attempt);
      try {
        const response = await inner.sendRequest(request);
        attempt.outcome = response.status;
        attempt.responseText = response.bodyAsText ?? "";
        return response;
      } catch (error) {
        const failure = error as { code?: unknown; name?: string };
        attempt.outcome = typeof failure.code === "string" ? failure.code : failure.name ?? "Error";
        throw error;
      }
    },
  };
}
