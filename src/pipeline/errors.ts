import type { FullOperationResponse } from "@azure/core-client";
import { RestError } from "@azure/core-rest-pipeline";

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
const describeStatus = (status: number): string => `${status} ${STATUS_TEXT[status] ?? ""}`.trim();

/**
 * The `code` and `message` members the service's error envelope (`{ error: { code, message, … } }`) has,
 * unchecked: an `error` that is a string is the message, and without an `error` member a flat
 * `{ code, message }` (as gateways in front of the service send) is read. `parsed` comes from JSON.parse,
 * so reading it cannot throw.
 */
function serviceErrorMembers(parsed: unknown): { code?: unknown; message?: unknown } {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  const envelope = "error" in parsed ? parsed.error : parsed;
  if (typeof envelope === "string") return { message: envelope };
  return typeof envelope === "object" && envelope !== null ? envelope : {};
}

/**
 * The RestError for a status that is not the operation's success status (CONTRACT §6): the service's
 * code and message when its body has them (of any shape: only a non-empty string counts), else a message
 * made from the body or the status. `parsed` is the parsed body (undefined when empty or not JSON),
 * `details` the error's `details` (the deserialized envelope, or the parsed body) and `successStatuses`
 * the statuses the operation accepts, to explain an unexpected 2xx.
 */
export function createStatusError(
  response: FullOperationResponse,
  bodyText: string,
  parsed: unknown,
  details: unknown,
  successStatuses: readonly number[],
): RestError {
  const status = response.status;
  const { code, message } = serviceErrorMembers(parsed);
  const error = new RestError(
    typeof message === "string" && message.trim()
      ? message
      : status >= 200 && status < 300
        ? `Service returned ${describeStatus(status)} where ${successStatuses.map(describeStatus).join(" or ")} was expected`
        : bodyText.trim() || `Service returned ${describeStatus(status)} with an empty body`,
    { code: typeof code === "string" && code ? code : undefined, statusCode: status, request: response.request, response },
  );
  error.details = details;
  return error;
}

/**
 * The RestError for an answer with a success status that the client cannot read: not JSON, or JSON
 * of the wrong shape. `thrown` says what was wrong (e.g. `identity.id must be a string, got number`)
 * and, unless undefined, is the error's `cause`.
 */
export function createParseError(response: FullOperationResponse, thrown: unknown): RestError {
  const error = new RestError(`Service returned ${describeStatus(response.status)} with an answer the client cannot read: ${describeProblem(thrown)}`, {
    code: RestError.PARSE_ERROR,
    statusCode: response.status,
    request: response.request,
    response,
  });
  if (thrown !== undefined) (error as { cause?: unknown }).cause = thrown;
  return error;
}

/** What went wrong while reading an answer, as a message line (never the thrown object itself). */
function describeProblem(thrown: unknown): string {
  if (thrown instanceof Error && thrown.message) return thrown.message;
  return typeof thrown === "string" && thrown ? thrown : "its shape is not the one the client expects";
}

/**
 * The error for a call that `requestOptions.timeout` cut short. Named `AbortError` like core's, so
 * code checking `error.name` keeps working; the message says it was the timeout, and after how long.
 */
export function createTimeoutError(timeoutMs: number, cause: unknown): Error {
  return new AbortError(`The operation timed out after ${timeoutMs} ms (requestOptions.timeout) and was aborted.`, { cause });
}

/** Core's aborts as code can tell them (`name` and class name `AbortError`); core does not export its class. */
export class AbortError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AbortError";
  }
}
