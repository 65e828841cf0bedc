import type { OperationDescriptor } from "../generated/operationDescriptor.js";

// What a request for a generated operation carries, without @azure/core-rest-pipeline: shared by the
// pipeline's request builder (sendOperation.ts) and the direct call that goes out without the
// pipeline (directCall.ts), so both send the same URL, header parameters and body.

/**
 * `endpoint`, the path with its `{name}` placeholders filled (each value encoded with
 * encodeURIComponent), then `?api-version=<version>` and the query parameters the call gives, in spec order.
 */
export function operationUrl<TParams, TBody, TResult>(
  endpoint: string,
  operation: OperationDescriptor<TParams, TBody, TResult>,
  apiVersion: string,
  params: TParams,
): string {
  let path = operation.path;
  for (const name of operation.pathParams) path = path.replace(`{${name}}`, encodeURIComponent(String(params[name])));
  let query = "?api-version=" + encodeURIComponent(apiVersion);
  for (const parameter of operation.queryParams ?? []) {
    const value = params?.[parameter.name];
    if (value !== undefined) query += "&" + encodeURIComponent(parameter.wireName) + "=" + encodeURIComponent(String(value));
  }
  return endpoint + path + query;
}

/** Calls `set` with each header parameter the call gives (wire name, value as a string), in spec order. */
export function forEachHeaderParam<TParams, TBody, TResult>(
  operation: OperationDescriptor<TParams, TBody, TResult>,
  params: TParams,
  set: (name: string, value: string) => void,
): void {
  for (const parameter of operation.headerParams ?? []) {
    const value = params?.[parameter.name];
    if (value !== undefined) set(parameter.wireName, String(value));
  }
}

/** The request body's text; undefined when the operation takes none or the call omits it. */
export function serializedBody<TParams, TBody, TResult>(
  operation: OperationDescriptor<TParams, TBody, TResult>,
  body: TBody | undefined,
): string | undefined {
  return operation.body && body !== undefined && body !== null ? operation.body.serialize(body) : undefined;
}
