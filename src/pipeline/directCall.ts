import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { KeyCredential } from "@azure/core-auth";
import type { OperationOptions } from "@azure/core-client";
import { isKeyCredential } from "../credentials/credentialKinds.js";
import { hmacSha256Base64, sha256Base64 } from "#platform/sha256Digests";
import type { OperationDescriptor } from "../generated/operationDescriptor.js";
import { packageVersion } from "../generated/packageInfo.js";
import { logger } from "../logger.js";
import { tracingClient } from "../tracing.js";
import { defaultConnectionPools, serializeHead, type FirstAttempt, type Http1Answer, type Http1Request } from "../transport/http1Exchange.js";
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
// core-rest-pipeline's user agent: undefined until loaded, null when it cannot be known.
let coreAgent: string | null | undefined;
let coreAgentLoading: Promise<unknown> | undefined;

/** A request URL parsed once, with what signing and the request line read from it. */
interface Target {
  readonly url: URL;
  /** Path and query as the HMAC policy signs them (the query re-serialized by URLSearchParams). */
  readonly pathAndQuery: string;
  readonly host: string;
}
// Calls repeat a handful of URLs (one per operation and user); bounded, so many users cannot grow it.
const targets = new Map<string, Target>();
const MAX_TARGETS = 256;

function targetOf(href: string): Target {
  let target = targets.get(href);
  if (target === undefined) {
    const url = new URL(href);
    const query = url.searchParams.toString();
    target = { url, pathAndQuery: query === "" ? url.pathname : `${url.pathname}?${query}`, host: url.host };
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(href, target);
  }
  return target;
}

type Outcome<TPublic> = { result: TPublic } | { notSent: true } | FirstAttempt;
const NOT_SENT = { notSent: true } as const;

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
  const target = targetOf(operationUrl(settings.endpoint, call.operation, call.apiVersion, call.params));
  const { protocol } = target.url;
  if (protocol !== "https:" && !(protocol === "http:" && clientOptions.allowInsecureConnection)) return undefined;
  return tracingClient.withSpan(`${call.spanPrefix}-${call.method}`, options, async (updatedOptions) => {
    const outcome = await exchange(clientOptions.userAgentOptions?.userAgentPrefix, credential, call, target, updatedOptions);
    if ("result" in outcome) return outcome.result;
    const runtime = await loadRuntime();
    const attempt = "notSent" in outcome ? undefined : outcome;
    return runtime.replayFirstAttempt(settings, attempt, call.operation, call.apiVersion, call.params, call.body, updatedOptions, call.reader);
  });
}

/** Sends the call once; never rejects: anything that goes wrong before an answer is `notSent` (the pipeline decides). */
function exchange<TParams, TBody, TResult, TPublic>(
  userAgentPrefix: string | undefined,
  credential: KeyCredential,
  call: DirectCall<TParams, TBody, TResult, TPublic>,
  target: Target,
  options: OperationOptions,
): Promise<Outcome<TPublic>> {
  if (coreAgent === undefined) {
    coreAgentLoading ??= coreUserAgent().then((agent) => (coreAgent = agent ?? null));
    return coreAgentLoading.then(() => exchange(userAgentPrefix, credential, call, target, options));
  }
  // Without core's own version string the request could not match the pipeline's: let the pipeline send it.
  if (coreAgent === null) return Promise.resolve(NOT_SENT);
  let request: Http1Request;
  let head: string;
  try {
    const { operation, params, body } = call;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (operation.body) headers["Content-Type"] = operation.body.mediaType;
    forEachHeaderParam(operation, params, (name, value) => (headers[name] = value));
    const tracingContext = options.tracingOptions?.tracingContext;
    if (tracingContext) Object.assign(headers, tracingClient.createRequestHeaders(tracingContext));
    // The headers the pipeline's policies add, in their order: decompression, user agent, request id, signature.
    headers["Accept-Encoding"] = "gzip,deflate";
    headers["User-Agent"] = `${userAgentPrefix ? `${userAgentPrefix} ` : ""}azsdk-js-communication-identity/${packageVersion} ${coreAgent}`;
    headers["x-ms-client-request-id"] = randomUUID();
    const text = serializedBody(operation, body);
    sign(credential.key, operation.method, target, text ?? "", headers);
    if (text !== undefined) headers["Content-Length"] = String(Buffer.byteLength(text));
    request = { url: target.url, method: operation.method, headers, body: text, decompress: true, keepAlive: true, tlsSettings: undefined };
    head = serializeHead(request);
  } catch {
    // A header Node would refuse, a body that does not serialize, a key that is not base64.
    return Promise.resolve(NOT_SENT);
  }
  return new Promise((resolve) => {
    try {
      defaultConnectionPools.startExchange(request, head, (failure, answer) => resolve(failure ? { failure } : readDirectAnswer(call, answer!)));
    } catch {
      resolve(NOT_SENT);
    }
  });
}

/** The mapped result of a clean success; the attempt itself (for the pipeline to read) otherwise. */
function readDirectAnswer<TParams, TBody, TResult, TPublic>(call: DirectCall<TParams, TBody, TResult, TPublic>, answer: Http1Answer): Outcome<TPublic> {
  const { operation } = call;
  if (!operation.successStatuses.includes(answer.status) || answer.body === undefined) return { answer };
  const deserialize = operation.deserialize[answer.status];
  try {
    if (!deserialize) return { result: call.reader.map(undefined as TResult) };
    const parsed: unknown = JSON.parse(answer.body.toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { answer };
    return { result: call.reader.map(deserialize(parsed as never) as TResult) };
  } catch {
    // Not JSON, or not the shape the mapping needs: the pipeline's reader says why, as a RestError.
    return { answer };
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
function sign(key: string, method: string, target: Target, body: string, headers: Record<string, string>): void {
  const date = new Date().toUTCString();
  const contentHash = sha256Base64(body);
  const signature = hmacSha256Base64(key, `${method}\n${target.pathAndQuery}\n${date};${target.host};${contentHash}`);
  headers["x-ms-date"] = date;
  headers["x-ms-content-sha256"] = contentHash;
  headers.host = target.host;
  headers.Authorization = `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`;
}
