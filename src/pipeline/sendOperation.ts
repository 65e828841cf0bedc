import type { FullOperationResponse, OperationOptions } from "@azure/core-client";
import type { HttpClient, HttpHeaders, PipelineRequest, PipelineResponse, RestError } from "@azure/core-rest-pipeline";
import type { OperationDescriptor } from "../generated/operationDescriptor.js";
import type { WireObject } from "../generated/serialization.js";
import { tracingClient } from "../tracing.js";
import type { IdentityPipeline } from "./createIdentityPipeline.js";
import { createParseError, createStatusError, createTimeoutError } from "./errors.js";
import { forEachHeaderParam, operationUrl, serializedBody } from "./operationRequest.js";
import { createHeaders, createRequest } from "./pipelineRequest.js";
import { AnswerShapeError, answerObject } from "./readAnswer.js";

/** Everything a client instance fixes once, in its constructor, for all its requests. */
export interface OperationContext {
  /** `http(s)://host[:port]`, no trailing slash. */
  readonly endpoint: string;
  readonly pipeline: IdentityPipeline;
  readonly httpClient: HttpClient;
  readonly allowInsecureConnection: boolean;
}

/**
 * What the public method makes of an answer. `map` turns the deserialized model into the public
 * result and throws (anything) when the answer cannot be mapped; `legacy` is 1.3.1's result when
 * `requestOptions.shouldDeserialize` is false, made from core-client's flat response (absent: the
 * flat response itself).
 */
export interface ResultReader<TResult, TPublic> {
  readonly map: (result: TResult) => TPublic;
  readonly legacy?: (flat: Record<string, unknown>) => unknown;
}

/**
 * Sends one generated operation and reads its answer: builds URL and headers, runs the pipeline,
 * accepts only the operation's success statuses, parses JSON, maps the result and calls `onResponse`
 * like core-client (for failures that carry a response too, with the error as third argument).
 * Every failure is a `RestError`: an answer the client cannot read or map is a `PARSE_ERROR`, never
 * a TypeError. A call cut short by `requestOptions.timeout` rejects with an `AbortError` saying so.
 */
export async function sendOperation<TPathParams, TBody, TResult, TPublic>(
  context: OperationContext,
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  apiVersion: string,
  pathParams: TPathParams,
  body: TBody | undefined,
  options: OperationOptions,
  reader: ResultReader<TResult, TPublic>,
): Promise<TPublic> {
  const request = buildRequest(context, operation, apiVersion, pathParams, body, options);
  let response: FullOperationResponse;
  try {
    // Transport failures are already RestErrors carrying the errno code (ECONNREFUSED, …) or
    // REQUEST_SEND_ERROR: both the default transports and core's produce them.
    response = (await context.pipeline.sendRequest(context.httpClient, request)) as FullOperationResponse;
  } catch (error) {
    if (timedOut(error, request, options)) throw createTimeoutError(request.timeout, error);
    // A policy's RestError that carries a response (e.g. a refused bearer challenge) reaches onResponse too, as in core-client.
    const response = (error as { response?: PipelineResponse } | null)?.response;
    if (typeof response === "object" && response !== null) reject(response as FullOperationResponse, options, (error as RestError).details, error);
    throw error;
  }
  response.request = request;
  return shouldDeserialize(options, response) ? readAnswer(operation, response, options, reader) : readLegacyAnswer(operation, response, options, reader);
}

/** An abort that the caller's signal did not ask for, on a request with a timeout, is the timeout firing. */
function timedOut(error: unknown, request: PipelineRequest, options: OperationOptions): boolean {
  return (error as { name?: unknown } | null)?.name === "AbortError" && request.timeout > 0 && options.abortSignal?.aborted !== true;
}

function buildRequest<TPathParams, TBody, TResult>(
  context: OperationContext,
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  apiVersion: string,
  pathParams: TPathParams,
  body: TBody | undefined,
  options: OperationOptions,
): PipelineRequest {
  const requestOptions = options.requestOptions ?? {};
  const headers = createHeaders();
  headers.set("Accept", "application/json");
  // Like the official client: an operation that takes a body always declares its media type,
  // even when the body is omitted (createUser() sends zero bytes with Content-Type).
  if (operation.body) headers.set("Content-Type", operation.body.mediaType);
  forEachHeaderParam(operation, pathParams, (name, value) => headers.set(name, value));
  setAll(headers, requestOptions.customHeaders);
  const tracingContext = options.tracingOptions?.tracingContext;
  if (tracingContext) setAll(headers, tracingClient.createRequestHeaders(tracingContext));
  const request = createRequest({
    url: operationUrl(context.endpoint, operation, apiVersion, pathParams),
    method: operation.method,
    headers,
    body: serializedBody(operation, body),
    abortSignal: options.abortSignal,
    timeout: requestOptions.timeout,
    // As core-client: the call's setting can allow an insecure connection, not forbid what the client allows.
    allowInsecureConnection: !!requestOptions.allowInsecureConnection || context.allowInsecureConnection,
    onUploadProgress: requestOptions.onUploadProgress,
    onDownloadProgress: requestOptions.onDownloadProgress,
  });
  // As core-client: policies (the bearer policy's getToken among them) see the call's span context.
  if (options.tracingOptions) request.tracingOptions = options.tracingOptions;
  return request;
}

function setAll(headers: HttpHeaders, values: Record<string, string> | undefined): void {
  if (values) for (const name of Object.keys(values)) headers.set(name, values[name]);
}

function readAnswer<TPathParams, TBody, TResult, TPublic>(
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  response: FullOperationResponse,
  options: OperationOptions,
  reader: ResultReader<TResult, TPublic>,
): TPublic {
  const status = response.status;
  const bodyText = bodyTextOf(response);
  if (!operation.successStatuses.includes(status)) {
    const error = statusError(operation, response, bodyText, parseBody(bodyText));
    // As core-client: the raw response's parsedBody is the deserialized envelope (innerError).
    if (error.details !== undefined) response.parsedBody = error.details;
    reject(response, options, error.details, error);
  }

  const deserialize = operation.deserialize[status] as ((value: WireObject) => TResult) | undefined;
  // Bodiless answers flatten as core-client flattens them.
  let flat: unknown = deserialize ? undefined : { body: undefined };
  let result: TPublic;
  try {
    if (deserialize) {
      const parsed = parseBody(bodyText);
      if (parsed === NOT_JSON) throw notJson(bodyText);
      if (parsed === undefined) throw new AnswerShapeError("the body is empty");
      response.parsedBody = parsed;
      flat = deserialize(answerObject(parsed, "the body"));
      result = reader.map(flat as TResult);
    } else {
      result = reader.map(undefined as TResult);
    }
  } catch (thrown) {
    reject(response, options, flat, createParseError(response, thrown));
  }
  options.onResponse?.(response, flat);
  return result;
}

/**
 * `requestOptions.shouldDeserialize` false: as 1.3.1 (core-client), the body is parsed but not
 * deserialized, no status is an error, and the method's legacy result is made from the flat response
 * (`{ ...body }` for a success status with a body, `{ body }` otherwise). Where 1.3.1 fails with a
 * TypeError (a result it cannot make), this rejects with the status's RestError or a PARSE_ERROR.
 */
function readLegacyAnswer<TPathParams, TBody, TResult, TPublic>(
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  response: FullOperationResponse,
  options: OperationOptions,
  reader: ResultReader<TResult, TPublic>,
): TPublic {
  const status = response.status;
  const success = operation.successStatuses.includes(status);
  const hasBody = success && operation.deserialize[status] !== undefined;
  const bodyText = bodyTextOf(response);
  const parsed = parseBody(bodyText);
  const fail = (problem: unknown, flat: unknown): never =>
    reject(response, options, flat, success ? createParseError(response, problem) : statusError(operation, response, bodyText, parsed));

  if (parsed === NOT_JSON) {
    // A bodiless success ignores its body, as without the option.
    if (!success || hasBody) fail(notJson(bodyText), undefined);
  } else {
    response.parsedBody = parsed;
  }
  const body = parsed === NOT_JSON ? undefined : parsed;
  const flat: Record<string, unknown> = hasBody ? { ...(body as object) } : { body };
  let result: unknown;
  try {
    result = reader.legacy ? reader.legacy(flat) : flat;
  } catch (thrown) {
    fail(thrown, flat);
  }
  options.onResponse?.(response, flat);
  return result as TPublic;
}

/** Shows `onResponse` the answer with the error it ends in, as core-client does, and throws that error. */
function reject(response: FullOperationResponse, options: OperationOptions, flat: unknown, error: unknown): never {
  options.onResponse?.(response, flat, error);
  throw error;
}

function shouldDeserialize(options: OperationOptions, response: PipelineResponse): boolean {
  const setting = options.requestOptions?.shouldDeserialize;
  if (setting === undefined) return true;
  return typeof setting === "function" ? setting(response) : setting;
}

// A hostile transport may hand back a non-string body.
const bodyTextOf = (response: PipelineResponse): string => (typeof response.bodyAsText === "string" ? response.bodyAsText : "");

const NOT_JSON = Symbol("not JSON");

const notJson = (bodyText: string): AnswerShapeError => new AnswerShapeError(`the body is not valid JSON (${bodyText.length} characters)`);

/** The parsed body; undefined when it is empty, NOT_JSON when it is not JSON. */
function parseBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** The RestError for a status the operation does not accept (`body`: parseBody's answer). Never throws, whatever the body's shape. */
function statusError<TPathParams, TBody, TResult>(
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  response: FullOperationResponse,
  bodyText: string,
  body: unknown,
): RestError {
  const parsed = body === NOT_JSON ? undefined : body;
  let details: unknown = parsed;
  const envelope = (parsed as { error?: unknown } | null | undefined)?.error;
  if (typeof envelope === "object" && envelope !== null && operation.deserializeError) {
    try {
      details = operation.deserializeError(parsed as WireObject);
    } catch {
      // An envelope the deserializer cannot read: the parsed body is the best detail there is.
    }
  }
  return createStatusError(response, bodyText, parsed, details, operation.successStatuses);
}
