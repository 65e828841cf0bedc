import type { FullOperationResponse } from "@azure/core-client";
import { RestError, type PipelineRequest } from "@azure/core-rest-pipeline";

// Reason phrases for the error statuses that often come with an empty body; others print as the bare number.
const STATUS_TEXT: Record<number, string> = {
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** `404 Not Found`, `201`: a status as error messages print it. */
export const describeStatus = (status: number): string => `${status} ${STATUS_TEXT[status] ?? ""}`.trim();

/** What the service's error envelope (`{ error: { code, message, … } }`) yields, whatever its shape. */
export interface ServiceErrorFields {
  code?: string;
  message?: string;
}

/**
 * The best code and message an answer's body offers. Never throws: a body of any shape (an
 * `error` that is a string, a number for `code`, an array) gives what it can and nothing else.
 * Without an `error` member, a flat `{ code, message }` (as gateways in front of the service send) is read.
 */
export function readServiceError(parsed: unknown): ServiceErrorFields {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  const envelope = "error" in parsed ? (parsed as { error?: unknown }).error : parsed;
  if (typeof envelope === "string") return envelope.trim() ? { message: envelope } : {};
  if (typeof envelope !== "object" || envelope === null) return {};
  const { code, message } = envelope as { code?: unknown; message?: unknown };
  const fields: ServiceErrorFields = {};
  if (typeof code === "string" && code !== "") fields.code = code;
  if (typeof message === "string" && message.trim() !== "") fields.message = message;
  return fields;
}

export interface StatusErrorInit {
  request: PipelineRequest;
  response: FullOperationResponse;
  bodyText: string;
  /** The parsed body, undefined when empty or not JSON. */
  parsed: unknown;
  /** The error's `details`: the deserialized envelope, or the parsed body. */
  details: unknown;
  /** The statuses the operation accepts, to explain an unexpected 2xx. */
  successStatuses: readonly number[];
}

/** The RestError for a status that is not the operation's success status (CONTRACT §6). */
export function createStatusError(init: StatusErrorInit): RestError {
  const { request, response, bodyText, parsed, details, successStatuses } = init;
  const status = response.status;
  const fields = readServiceError(parsed);
  let message = fields.message;
  if (!message) {
    message =
      status >= 200 && status < 300
        ? `Service returned ${describeStatus(status)} where ${successStatuses.map(describeStatus).join(" or ")} was expected`
        : bodyText.trim() || `Service returned ${describeStatus(status)} with an empty body`;
  }
  const error = new RestError(message, { code: fields.code, statusCode: status, request, response });
  error.details = details;
  return error;
}

/**
 * The RestError for an answer with a success status that the client cannot read: not JSON, or JSON
 * of the wrong shape. `problem` says what was wrong (e.g. `identity.id must be a string, got number`).
 */
export function createParseError(problem: string, request: PipelineRequest, response: FullOperationResponse, cause?: unknown): RestError {
  const error = new RestError(`Service returned ${describeStatus(response.status)} with an answer the client cannot read: ${problem}`, {
    code: RestError.PARSE_ERROR,
    statusCode: response.status,
    request,
    response,
  });
  if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
  return error;
}

/** What went wrong while reading an answer, as a message line (never the thrown object itself). */
export function describeProblem(thrown: unknown): string {
  if (thrown instanceof Error && thrown.message) return thrown.message;
  return typeof thrown === "string" && thrown ? thrown : "its shape is not the one the client expects";
}

/**
 * The error for a call that `requestOptions.timeout` cut short. Named `AbortError` like core's, so
 * code checking `error.name` keeps working; the message says it was the timeout, and after how long.
 */
export function createTimeoutError(timeoutMs: number, cause: unknown): Error {
  const error = new Error(`The operation timed out after ${timeoutMs} ms (requestOptions.timeout) and was aborted.`, { cause });
  error.name = "AbortError";
  return error;
}
