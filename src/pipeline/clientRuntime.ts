import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions, OperationOptions } from "@azure/core-client";
import { createAuthPolicy } from "../credentials/createAuthPolicy.js";
import type { OperationDescriptor } from "../generated/operationDescriptor.js";
import { tracingClient } from "../tracing.js";
import { createHttpClient } from "../transport/createHttpClient.js";
import { createIdentityPipeline } from "./createIdentityPipeline.js";
import { sendOperation, type OperationContext } from "./sendOperation.js";

/** What a client fixes in its constructor; the pipeline is built from it on the first call. */
export interface ClientSettings {
  readonly endpoint: string;
  readonly apiVersion: string;
  readonly credential: KeyCredential | TokenCredential;
  readonly options: CommonClientOptions & { readonly allowInsecureConnection?: boolean };
}

/**
 * The part of the client that needs the Azure core packages (pipeline, policies, RestError,
 * tracing, logging). Node loads it on a client's first call, so importing the package stays cheap.
 */
export function createOperationContext(settings: ClientSettings): OperationContext {
  const { endpoint, apiVersion, credential, options } = settings;
  return {
    endpoint,
    query: `?api-version=${encodeURIComponent(apiVersion)}`,
    pipeline: createIdentityPipeline(options, createAuthPolicy(credential)),
    httpClient: options.httpClient ?? createHttpClient(),
    allowInsecureConnection: options.allowInsecureConnection ?? false,
  };
}

/** Runs one operation in the method's tracing span (`CommunicationIdentity-<method>`) and maps its answer. */
export function runOperation<TPathParams, TBody, TResult, TPublic>(
  context: OperationContext,
  method: string,
  operation: OperationDescriptor<TPathParams, TBody, TResult>,
  pathParams: TPathParams,
  body: TBody | undefined,
  options: OperationOptions,
  map: (result: TResult) => TPublic,
): Promise<TPublic> {
  return tracingClient.withSpan(`CommunicationIdentity-${method}`, options, async (updatedOptions) => {
    const result = await sendOperation(context, operation, pathParams, body, updatedOptions);
    // Only undefined when requestOptions.shouldDeserialize is false (documented on the class).
    return (result === undefined ? result : map(result)) as TPublic;
  });
}
