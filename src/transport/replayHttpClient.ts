import { RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { createHeaders } from "../pipeline/pipelineRequest.js";
import type { FirstAttempt, Http1Answer, Http1Failure } from "./http1Exchange.js";

/**
 * An `HttpClient` whose first request gets `attempt` (what the same request, sent without the pipeline,
 * got) as its answer or failure; every later request (a retry, a redirect) goes to `next`.
 */
export function createReplayHttpClient(attempt: FirstAttempt, next: HttpClient): HttpClient {
  let first: FirstAttempt | undefined = attempt;
  return {
    sendRequest(request) {
      const replayed = first;
      first = undefined;
      if (replayed === undefined) return next.sendRequest(request);
      if ("failure" in replayed) return Promise.reject(toRestError(replayed.failure, request));
      return Promise.resolve(toPipelineResponse(request, replayed.answer));
    },
  };
}

/** A socket-level failure as core's Node client reports it: errno code before the answer, PARSE_ERROR while reading it. */
export function toRestError(failure: Http1Failure, request: PipelineRequest): RestError {
  if (failure.phase === "body") {
    return new RestError(`Error reading response as text: ${failure.message}`, { code: RestError.PARSE_ERROR, request });
  }
  return new RestError(failure.message, { code: failure.code ?? RestError.REQUEST_SEND_ERROR, request });
}

export function toPipelineResponse(request: PipelineRequest, answer: Http1Answer): PipelineResponse {
  const headers = createHeaders();
  for (const [name, value] of answer.headers) headers.set(name, value);
  return { request, status: answer.status, headers, bodyAsText: answer.body?.toString("utf8") };
}

