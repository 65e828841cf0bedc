import type { FullOperationResponse, OperationOptions } from "@azure/core-client";
import {
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type HttpClient,
  type Pipeline,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import type { OperationDescriptor } from "../generated/operationDescriptor.js";
import type { WireObject } from "../generated/serialization.js";
import { tracingClient } from "../tracing.js";

/** Everything a client instance fixes once, in its constructor, for all its requests. */
export interface OperationContext {
  /** `http(s)://host[:port]`, no trailing slash. */
  readonly endpoint: string;
  /** `?api-version=<version>`, precomputed. */
  readonly query: string;
  readonly pipeline: Pipeline;
  readonly httpClient: HttpClient;
  readonly allowInsecureConnection: boolean;
}

/**
 * Sends one generated operation and reads its answer: builds URL and headers, runs the pipeline,
 * accepts only the operation's success statuses, parses JSON and calls `onResponse` like core-client.
 * Resolves to the deserialized model (or `undefined` for bodiless answers and when
 * `requestOptions.shouldDeserialize` is false). Every failure is a `RestError`.
 */
export async function sendOperation<TPathParams, TBody, TResult>(
  context: OperationContext,
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  pathParams: TPathParams,
  body: TBody | undefined,
  options: OperationOptions,
): Promise<TResult | undefined> {
  const request = buildRequest(context, operation, pathParams, body, options);
  // Transport failures are already RestErrors carrying the errno code (ECONNREFUSED, …) or
  // REQUEST_SEND_ERROR: both the default transports and core's produce them.
  const response = await context.pipeline.sendRequest(context.httpClient, request);
  return readResponse(operation, request, response, options);
}

function buildRequest<TPathParams, TBody, TResult>(
  context: OperationContext,
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  pathParams: TPathParams,
  body: TBody | undefined,
  options: OperationOptions,
): PipelineRequest {
  const requestOptions = options.requestOptions;
  const headers = createHttpHeaders();
  headers.set("Accept", "application/json");
  // Like the official client: an operation that takes a body always declares its media type,
  // even when the body is omitted (createUser() sends zero bytes with Content-Type).
  if (operation.body) headers.set("Content-Type", operation.body.mediaType);
  const customHeaders = requestOptions?.customHeaders;
  if (customHeaders) {
    for (const name of Object.keys(customHeaders)) headers.set(name, customHeaders[name]);
  }
  const tracingContext = options.tracingOptions?.tracingContext;
  if (tracingContext) {
    const tracingHeaders = tracingClient.createRequestHeaders(tracingContext);
    for (const name of Object.keys(tracingHeaders)) headers.set(name, tracingHeaders[name]);
  }
  return createPipelineRequest({
    url: context.endpoint + fillPath(operation.path, operation.pathParams, pathParams) + context.query,
    method: operation.method,
    headers,
    body: operation.body && body !== undefined && body !== null ? operation.body.serialize(body) : undefined,
    abortSignal: options.abortSignal,
    timeout: requestOptions?.timeout,
    tracingOptions: options.tracingOptions,
    allowInsecureConnection: requestOptions?.allowInsecureConnection ?? context.allowInsecureConnection,
    onUploadProgress: requestOptions?.onUploadProgress,
    onDownloadProgress: requestOptions?.onDownloadProgress,
  });
}

/** Fills `{name}` placeholders of a path template, each value encoded with encodeURIComponent. */
function fillPath<TPathParams>(template: string, names: readonly (keyof TPathParams & string)[], params: TPathParams): string {
  let path = template;
  for (const name of names) path = path.replace(`{${name}}`, encodeURIComponent(String(params[name])));
  return path;
}

function readResponse<TPathParams, TBody, TResult>(
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  request: PipelineRequest,
  response: PipelineResponse,
  options: OperationOptions,
): TResult | undefined {
  const status = response.status;
  const bodyText = response.bodyAsText ?? "";
  const rawResponse = response as FullOperationResponse;
  rawResponse.request = request;

  if (!operation.successStatuses.includes(status)) {
    const error = createStatusError(operation, request, rawResponse, bodyText);
    options.onResponse?.(rawResponse, error.details, error);
    throw error;
  }

  let result: TResult | undefined;
  const deserialize = operation.deserialize[status];
  if (deserialize && shouldDeserialize(options, response)) {
    const parsed = parseJson(bodyText);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      const error = new RestError(`Service returned ${describeStatus(status)} without a JSON object body`, {
        code: RestError.PARSE_ERROR,
        statusCode: status,
        request,
        response: rawResponse,
      });
      options.onResponse?.(rawResponse, undefined, error);
      throw error;
    }
    rawResponse.parsedBody = parsed;
    result = deserialize(parsed as WireObject);
  }
  options.onResponse?.(rawResponse, result);
  return result;
}

function shouldDeserialize(options: OperationOptions, response: PipelineResponse): boolean {
  const setting = options.requestOptions?.shouldDeserialize;
  if (setting === undefined) return true;
  return typeof setting === "function" ? setting(response) : setting;
}

/** The parsed body, or undefined when it is empty or not JSON (JSON.parse never yields undefined). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

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

const describeStatus = (status: number): string => `${status} ${STATUS_TEXT[status] ?? ""}`.trim();

/** Builds the RestError for a status that is not the operation's success status (CONTRACT §6). */
function createStatusError<TPathParams, TBody, TResult>(
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  request: PipelineRequest,
  response: FullOperationResponse,
  bodyText: string,
): RestError {
  const status = response.status;
  const parsed = parseJson(bodyText);
  const serviceError = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  let details: unknown;
  if (parsed !== undefined) {
    response.parsedBody = parsed;
    details = typeof serviceError === "object" && operation.deserializeError ? operation.deserializeError(parsed as WireObject) : parsed;
  }
  const code = typeof serviceError?.code === "string" ? serviceError.code : undefined;
  let message = typeof serviceError?.message === "string" ? serviceError.message : "";
  if (!message) {
    message =
      status < 300
        ? `Service returned ${describeStatus(status)} where ${operation.successStatuses.map(describeStatus).join(" or ")} was expected`
        : bodyText.trim() || `Service returned ${describeStatus(status)} with an empty body`;
  }
  const error = new RestError(message, { code, statusCode: status, request, response });
  error.details = details;
  return error;
}
