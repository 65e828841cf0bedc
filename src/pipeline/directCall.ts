import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { KeyCredential } from "@azure/core-auth";
import type { OperationOptions } from "@azure/core-client";
import { computeSha256Hash, computeSha256Hmac } from "#platform/sha256Digests";
import { isKeyCredential } from "../credentials/credentialKinds.js";
import type { OperationDescriptor } from "../generated/operationDescriptor.js";
import { packageVersion } from "../generated/packageInfo.js";
import { logger } from "../logger.js";
import { tracingClient } from "../tracing.js";
import { defaultConnectionPools, serializeHead, type FirstAttempt, type Http1Request } from "../transport/http1Exchange.js";
import type { ClientSettings } from "./clientRuntime.js";
import type { ClientRuntimeModule } from "./loadClientRuntime.js";
import { forEachHeaderParam, operationUrl, serializedBody } from "./operationRequest.js";
import type { ResultReader } from "./sendOperation.js";

// A plain call goes straight to the wire. Waiting for @azure/core-rest-pipeline would cost a process's
// first call about as long as the official package's whole import, and running its policies costs
// every call CPU and optimized code. For the plain case (an access key, no custom transport, proxy,
// policies, logging or per-call request options) the request goes out on the default transport,
// carrying exactly what the pipeline would send (pinned by test/pipeline/directCall.spec.ts). A clean
// success is mapped here; any other outcome (an error status, a network error, an answer that does not
// map) is handed to the real pipeline, loaded then, as its first attempt's answer, so retries,
// redirects, RestErrors and logging are core's as always.

/** One call, as the client's `#call` has it. */
export interface DirectCall<TParams, TBody, TResult, TPublic> {
  readonly method: string;
  readonly spanPrefix: string;
  readonly operation: OperationDescriptor<TParams, TBody, TResult>;
  readonly apiVersion: string;
  readonly params: TParams;
  readonly body: TBody | undefined;
  readonly options: OperationOptions;
  readonly reader: ResultReader<TResult, TPublic>;
}

const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];
let coreAgentLoading: Promise<string | undefined> | undefined;

/**
 * Sends `call` without the pipeline when nothing about it needs the pipeline before its answer;
 * undefined otherwise (the caller then runs it through the pipeline). `loadRuntime` is called only
 * when the answer needs the pipeline.
 */
export function sendDirectCall<TParams, TBody, TResult, TPublic>(
  settings: ClientSettings,
  call: DirectCall<TParams, TBody, TResult, TPublic>,
  loadRuntime: () => ClientRuntimeModule | Promise<ClientRuntimeModule>,
): Promise<TPublic> | undefined {
  const { credential, options: clientOptions } = settings;
  const { options } = call;
  if (
    !isKeyCredential(credential) ||
    clientOptions.httpClient ||
    clientOptions.additionalPolicies?.length ||
    clientOptions.proxyOptions ||
    clientOptions.agent ||
    clientOptions.tlsOptions ||
    clientOptions.telemetryOptions?.clientRequestIdHeaderName ||
    options.abortSignal ||
    options.requestOptions ||
    options.onResponse ||
    logger.info.enabled ||
    PROXY_VARIABLES.some((name) => process.env[name])
  ) {
    return undefined;
  }
  const url = new URL(operationUrl(settings.endpoint, call.operation, call.apiVersion, call.params));
  if (url.protocol !== "https:" && !(url.protocol === "http:" && clientOptions.allowInsecureConnection)) return undefined;
  return tracingClient.withSpan(`${call.spanPrefix}-${call.method}`, options, async (updatedOptions) => {
    // Whatever goes wrong before an answer (a header Node would refuse, a body that does not serialize): the pipeline decides.
    const outcome = await exchange(settings, credential, call, url, updatedOptions).catch(() => ({ notSent: true }) as const);
    if ("result" in outcome) return outcome.result;
    const runtime = await loadRuntime();
    const attempt = "notSent" in outcome ? undefined : outcome;
    return runtime.replayFirstAttempt(settings, attempt, call.operation, call.apiVersion, call.params, call.body, updatedOptions, call.reader);
  });
}

async function exchange<TParams, TBody, TResult, TPublic>(
  settings: ClientSettings,
  credential: KeyCredential,
  call: DirectCall<TParams, TBody, TResult, TPublic>,
  url: URL,
  options: OperationOptions,
): Promise<{ result: TPublic } | { notSent: true } | FirstAttempt> {
  const { operation, params, body } = call;
  const headers: Record<string, string> = { Accept: "application/json" };
  if (operation.body) headers["Content-Type"] = operation.body.mediaType;
  forEachHeaderParam(operation, params, (name, value) => (headers[name] = value));
  const tracingContext = options.tracingOptions?.tracingContext;
  if (tracingContext) Object.assign(headers, tracingClient.createRequestHeaders(tracingContext));
  // The headers the pipeline's policies add, in their order: decompression, user agent, request id, signature.
  headers["Accept-Encoding"] = "gzip,deflate";
  const prefix = settings.options.userAgentOptions?.userAgentPrefix;
  const coreAgent = await (coreAgentLoading ??= coreUserAgent());
  // Without core's own version string the request could not match the pipeline's: let the pipeline send it.
  if (coreAgent === undefined) return { notSent: true };
  headers["User-Agent"] = `${prefix ? `${prefix} ` : ""}azsdk-js-communication-identity/${packageVersion} ${coreAgent}`;
  headers["x-ms-client-request-id"] = randomUUID();
  const text = serializedBody(operation, body);
  await sign(credential.key, operation.method, url, text ?? "", headers);
  if (text !== undefined) headers["Content-Length"] = String(Buffer.byteLength(text));
  const request: Http1Request = { url, method: operation.method, headers, body: text, decompress: true, keepAlive: true, tlsSettings: undefined };
  const head = serializeHead(request);
  const attempt = await new Promise<FirstAttempt>((resolve) => {
    defaultConnectionPools.startExchange(request, head, (failure, answer) => resolve(failure ? { failure } : { answer: answer! }));
  });
  if ("failure" in attempt) return attempt;
  const { answer } = attempt;
  const deserialize = operation.deserialize[answer.status];
  if (!operation.successStatuses.includes(answer.status) || answer.body === undefined) return attempt;
  try {
    if (!deserialize) return { result: call.reader.map(undefined as TResult) };
    const parsed: unknown = JSON.parse(answer.body.toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return attempt;
    return { result: call.reader.map(deserialize(parsed as never) as TResult) };
  } catch {
    // Not JSON, or not the shape the mapping needs: the pipeline's reader says why, as a RestError.
    return attempt;
  }
}

/**
 * core-rest-pipeline's default user agent, as its userAgentPolicy builds it in Node, with the version
 * constant from core's own (one-line) module; undefined when core's layout is not the one expected.
 */
async function coreUserAgent(): Promise<string | undefined> {
  try {
    // …/@azure/core-rest-pipeline/dist/commonjs/index.js → …/dist/esm/constants.js
    const coreEntry = createRequire(import.meta.url).resolve("@azure/core-rest-pipeline");
    const constants = (await import(pathToFileURL(join(dirname(dirname(coreEntry)), "esm", "constants.js")).href)) as { SDK_VERSION?: unknown };
    if (typeof constants.SDK_VERSION !== "string") return undefined;
    return `core-rest-pipeline/${constants.SDK_VERSION} Node/${process.versions.node} (${os.type()} ${os.release()}; ${os.arch()})`;
  } catch {
    return undefined;
  }
}

/** HMAC-SHA256 signing, as createHmacAuthPolicy signs (CONTRACT §5). */
async function sign(key: string, method: string, url: URL, body: string, headers: Record<string, string>): Promise<void> {
  const date = new Date().toUTCString();
  const contentHash = await computeSha256Hash(body, "base64");
  const query = url.searchParams.toString();
  const pathAndQuery = query === "" ? url.pathname : `${url.pathname}?${query}`;
  const signature = await computeSha256Hmac(key, `${method}\n${pathAndQuery}\n${date};${url.host};${contentHash}`, "base64");
  headers["x-ms-date"] = date;
  headers["x-ms-content-sha256"] = contentHash;
  headers.host = url.host;
  headers.Authorization = `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`;
}
