import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions, OperationOptions } from "@azure/core-client";
import { createAuthPolicy } from "../credentials/createAuthPolicy.js";
import type { OperationDescriptor } from "../generated/operationDescriptor.js";
import { tracingClient } from "../tracing.js";
import { createHttpClient } from "#platform/createHttpClient";
import type { FirstAttempt } from "../transport/http1Exchange.js";
import { createReplayHttpClient } from "../transport/replayHttpClient.js";
import { createIdentityPipeline } from "./createIdentityPipeline.js";
import { sendOperation, type OperationContext, type ResultReader } from "./sendOperation.js";

/** What a client fixes in its constructor; the pipeline is built from it when a call first needs it. */
export interface ClientSettings {
  readonly endpoint: string;
  readonly credential: KeyCredential | TokenCredential;
  readonly options: CommonClientOptions & { readonly allowInsecureConnection?: boolean };
}

/**
 * The part of the client that needs the Azure core packages (pipeline, policies, RestError,
 * tracing, logging). Node loads it when a call first needs it, so importing the package stays cheap.
 */
export function createOperationContext(settings: ClientSettings): OperationContext {
  const { endpoint, credential, options } = settings;
  return {
    endpoint,
    pipeline: createIdentityPipeline(options, createAuthPolicy(credential)),
    httpClient: options.httpClient ?? createHttpClient(),
    allowInsecureConnection: options.allowInsecureConnection ?? false,
  };
}

/**
 * Runs one operation in the method's tracing span (`CommunicationIdentity-<method>`) and maps its
 * answer, sent with `apiVersion` (chosen per call by the client's api-version policy): `read` is the result mapping, or a {@link ResultReader} with 1.3.1's `shouldDeserialize: false` result too.
 */
export function runOperation<TPathParams, TBody, TResult, TPublic>(
  context: OperationContext,
  method: string,
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  apiVersion: string,
  pathParams: TPathParams,
  body: TBody | undefined,
  options: OperationOptions,
  read: ((result: TResult) => TPublic) | ResultReader<TResult, TPublic>,
  /** The client's span prefix: `CommunicationAccess` for the access client. */
  spanPrefix = "CommunicationIdentity",
): Promise<TPublic> {
  const reader = typeof read === "function" ? { map: read } : read;
  return tracingClient.withSpan(`${spanPrefix}-${method}`, options, (updatedOptions) =>
    sendOperation(context, operation, apiVersion, pathParams, body, updatedOptions, reader),
  );
}

// A client's direct calls replay through one pipeline, built on the first answer that needs it, not per answer.
const replayContexts = new WeakMap<ClientSettings, OperationContext>();

/**
 * Finishes a call whose first attempt went out without the pipeline (see directCall.ts): the
 * pipeline runs as always, its transport answering the first attempt with what that request got, so
 * retries, redirects, error mapping and logging are the pipeline's (no `attempt`: the pipeline sends
 * it all). Runs inside the call's span.
 */
export function replayFirstAttempt<TPathParams, TBody, TResult, TPublic>(
  settings: ClientSettings,
  attempt: FirstAttempt | undefined,
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  apiVersion: string,
  pathParams: TPathParams,
  body: TBody | undefined,
  options: OperationOptions,
  reader: ResultReader<TResult, TPublic>,
): Promise<TPublic> {
  let context = replayContexts.get(settings);
  if (context === undefined) replayContexts.set(settings, (context = createOperationContext(settings)));
  if (attempt !== undefined) context = { ...context, httpClient: createReplayHttpClient(attempt, context.httpClient) };
  return sendOperation(context, operation, apiVersion, pathParams, body, options, reader);
}
