import http from "node:http";
import https from "node:https";
import { pipeline, type Readable } from "node:stream";
import zlib from "node:zlib";
import {
  createDefaultHttpClient,
  RestError,
  type HttpClient,
  type HttpHeaders,
  type PipelineRequest,
  type PipelineResponse,
  type TlsSettings,
} from "@azure/core-rest-pipeline";
import { AbortError } from "../pipeline/errors.js";
import { createHeaders } from "../pipeline/pipelineRequest.js";
import { ConnectionPools, serializeHead, type Http1Request } from "./http1Exchange.js";
import { toPipelineResponse, toRestError } from "./replayHttpClient.js";

// Messages match core-rest-pipeline's Node client so code that inspects them keeps working.
const ALREADY_ABORTED_MESSAGE = "The operation was aborted. Request has already been canceled.";
const ABORTED_MESSAGE = "The operation was aborted. Rejecting from abort signal callback while making request.";

type RequestBody = string | Uint8Array | undefined;

const NO_TLS_SETTINGS: TlsSettings = {};
const PRESERVE_CASE = { preserveCase: true };

/**
 * Creates an `HttpClient` that speaks HTTP/1.1 itself on pooled keep-alive `net`/`tls` sockets.
 *
 * It sends string and byte bodies and reads text responses itself; anything it does not handle
 * (streamed bodies, form data, streamed responses, progress callbacks) goes to core-rest-pipeline's
 * default client, so behaviour never falls below core's. A request with `request.agent` (set by
 * `proxyPolicy` and `agentPolicy`) or `requestOverrides` goes through `node:http(s)` with that agent;
 * `request.tlsSettings` (tlsPolicy) gets connections of its own.
 *
 * @example
 * ```ts
 * const client = createNodeHttpClient();
 * const response = await client.sendRequest(createPipelineRequest({ url: "https://example.com" }));
 * ```
 */
export function createNodeHttpClient(pools: ConnectionPools = new ConnectionPools()): HttpClient {
  return new NodeHttpClient(pools);
}

class NodeHttpClient implements HttpClient {
  constructor(private readonly pools: ConnectionPools) {}
  private httpAgent: http.Agent | undefined;
  private httpAgentNoKeepAlive: http.Agent | undefined;
  private readonly httpsAgents = new WeakMap<TlsSettings, https.Agent>();
  private readonly httpsAgentsNoKeepAlive = new WeakMap<TlsSettings, https.Agent>();
  private fallback: HttpClient | undefined;

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const body = toSendableBody(request.body);
    if (body === null || needsCoreClient(request)) {
      this.fallback ??= createDefaultHttpClient();
      return this.fallback.sendRequest(request);
    }
    if (request.abortSignal?.aborted) {
      return Promise.reject(new AbortError(ALREADY_ABORTED_MESSAGE));
    }
    if (request.agent === undefined && request.requestOverrides === undefined) return this.sendOnSocket(request, body);
    // Built inside the executor so a bad URL or header rejects instead of throwing, as core's async client does.
    return new Promise((resolve, reject) => {
      const url = new URL(request.url);
      const isInsecure = url.protocol !== "https:";
      prepare(request, url, isInsecure, body);
      const hostname = url.hostname;
      const options: https.RequestOptions = {
        // Core types `agent` structurally; at run time it is an http(s).Agent from proxyPolicy/agentPolicy or the user.
        agent: (request.agent as http.Agent | undefined) ?? this.agentFor(request, isInsecure),
        // URL keeps IPv6 literals bracketed; node:http wants them bare.
        hostname: hostname.charCodeAt(0) === 91 ? hostname.slice(1, -1) : hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: request.method,
        headers: request.headers.toJSON(PRESERVE_CASE),
        ...request.requestOverrides,
      };
      exchange(request, options, isInsecure, body, resolve, reject);
    });
  }

  /** The common case: HTTP/1.1 written and parsed here, on a pooled connection. */
  private sendOnSocket(request: PipelineRequest, body: RequestBody): Promise<PipelineResponse> {
    // Built inside the executor so a bad URL or header rejects instead of throwing, as core's async client does.
    return new Promise((resolve, reject) => {
      const url = new URL(request.url);
      const isInsecure = url.protocol !== "https:";
      if (isInsecure && url.protocol !== "http:") throw new TypeError(`Protocol "${url.protocol}" not supported. Expected "http:" or "https:"`);
      prepare(request, url, isInsecure, body);
      const outgoing: Http1Request = {
        url,
        method: request.method,
        headers: request.headers.toJSON(PRESERVE_CASE),
        body,
        decompress: request.headers.has("Accept-Encoding"),
        keepAlive: !request.disableKeepAlive,
        tlsSettings: request.tlsSettings,
      };
      const head = serializeHead(outgoing);
      // Aborts come from the signal's event or a timer, so `exchange` is set by then.
      const settle = settleOnce(request, resolve, reject, () => exchange.abort());
      const exchange = this.pools.startExchange(outgoing, head, (failure, answer) => {
        if (failure !== undefined) settle(toRestError(failure, request));
        else settle(undefined, toPipelineResponse(request, answer!));
      });
    });
  }

  private agentFor(request: PipelineRequest, isInsecure: boolean): http.Agent {
    const keepAlive = !request.disableKeepAlive;
    if (isInsecure) {
      if (keepAlive) return (this.httpAgent ??= new http.Agent({ keepAlive: true }));
      return (this.httpAgentNoKeepAlive ??= new http.Agent({ keepAlive: false }));
    }
    // Keyed by identity: tlsPolicy hands the same settings object to every request.
    const tlsSettings = request.tlsSettings ?? NO_TLS_SETTINGS;
    const cache = keepAlive ? this.httpsAgents : this.httpsAgentsNoKeepAlive;
    let agent = cache.get(tlsSettings);
    if (agent === undefined) {
      agent = new https.Agent({ ...tlsSettings, keepAlive });
      cache.set(tlsSettings, agent);
    }
    return agent;
  }
}

/** Throws for an insecure URL the request does not allow; declares the body's length unless the request does. */
function prepare(request: PipelineRequest, url: URL, isInsecure: boolean, body: RequestBody): void {
  if (isInsecure && !request.allowInsecureConnection) {
    // The query string is left out: it may carry a SAS token or other secret.
    throw new Error(`Cannot connect to ${url.origin}${url.pathname} while allowInsecureConnection is false.`);
  }
  if (body !== undefined && !request.headers.has("Content-Length")) {
    request.headers.set("Content-Length", typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
  }
}

/** The body as bytes or text we can write in one call, `undefined` for none, `null` if core must send it. */
function toSendableBody(body: PipelineRequest["body"]): RequestBody | null {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body === "" ? undefined : body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return null;
}

function needsCoreClient(request: PipelineRequest): boolean {
  return (
    (request.streamResponseStatusCodes !== undefined && request.streamResponseStatusCodes.size > 0) ||
    request.onUploadProgress !== undefined ||
    request.onDownloadProgress !== undefined ||
    request.enableBrowserStreams === true ||
    request.multipartBody !== undefined ||
    request.formData !== undefined
  );
}

/** Runs one request/response exchange and settles the caller's promise exactly once. */
function exchange(
  request: PipelineRequest,
  options: https.RequestOptions,
  isInsecure: boolean,
  body: RequestBody,
  resolve: (response: PipelineResponse) => void,
  reject: (error: unknown) => void,
): void {
  const settle = settleOnce(request, resolve, reject, (error) => req.destroy(error));
  const req = (isInsecure ? http : https).request(options, (res) => {
    const response: PipelineResponse = { request, status: res.statusCode ?? 0, headers: toHttpHeaders(res) };
    if (request.method === "HEAD") {
      // Drain rather than destroy, so the socket goes back to the pool.
      res.resume();
      settle(undefined, response);
      return;
    }
    readText(decoded(res, request.headers), (error, text) => {
      if (error !== undefined) {
        settle(
          error.name === "AbortError"
            ? error
            : new RestError(`Error reading response as text: ${error.message}`, {
                code: RestError.PARSE_ERROR,
                request,
              }),
        );
        return;
      }
      response.bodyAsText = text;
      settle(undefined, response);
    });
  });
  // Stays attached after settling so a late socket error cannot surface as an unhandled 'error'.
  req.on("error", (error: NodeJS.ErrnoException) => {
    settle(new RestError(error.message, { code: error.code ?? RestError.REQUEST_SEND_ERROR, request }));
  });
  req.end(body);
}

/**
 * Watches `request`'s abort signal and timeout, and returns the function that settles the caller's
 * promise exactly once. An abort (the signal, or the timeout firing) rejects with an AbortError, then
 * runs `cancel` with it to stop the exchange.
 */
function settleOnce(
  request: PipelineRequest,
  resolve: (response: PipelineResponse) => void,
  reject: (error: unknown) => void,
  cancel: (error: AbortError) => void,
): (error: unknown, response?: PipelineResponse) => void {
  const signal = request.abortSignal;
  let settled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settle = (error: unknown, response?: PipelineResponse): void => {
    if (settled) return;
    settled = true;
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (response === undefined) reject(error);
    else resolve(response);
  };
  const onAbort = (): void => {
    const error = new AbortError(ABORTED_MESSAGE);
    settle(error);
    cancel(error);
  };
  signal?.addEventListener("abort", onAbort);
  // Core stops this clock at the response head, so a stalled body hangs forever; we cover the body too.
  if (request.timeout > 0) timer = setTimeout(onAbort, request.timeout);
  return settle;
}

/** Response headers as core's client reports them: one value per name, the first when Node gives a list. */
function toHttpHeaders(res: http.IncomingMessage): HttpHeaders {
  const headers = createHeaders();
  const raw = res.headers;
  for (const name in raw) {
    const value = raw[name];
    if (typeof value === "string") headers.set(name, value);
    else if (value !== undefined && value.length > 0) headers.set(name, value[0]);
  }
  return headers;
}

/** Decodes gzip, deflate and br bodies when the request asked for compression (Accept-Encoding). */
function decoded(res: http.IncomingMessage, requestHeaders: HttpHeaders): Readable {
  const encoding = res.headers["content-encoding"];
  if (encoding === undefined || !requestHeaders.has("Accept-Encoding")) return res;
  // An empty body is not a valid gzip/deflate/br stream; servers still label 204s and 304s.
  if (res.statusCode === 204 || res.statusCode === 304 || res.headers["content-length"] === "0") return res;
  let decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
  switch (encoding.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      decoder = zlib.createGunzip();
      break;
    case "deflate":
      decoder = zlib.createInflate();
      break;
    case "br":
      decoder = zlib.createBrotliDecompress();
      break;
    default:
      return res;
  }
  return pipeline(res, decoder, ignore);
}

function ignore(): void {}

/** Collects a body as UTF-8 text; one chunk is decoded in place, without a copy. */
function readText(stream: Readable, done: (error: Error | undefined, text: string) => void): void {
  let first: Buffer | undefined;
  let rest: Buffer[] | undefined;
  stream.on("data", (chunk: Buffer) => {
    if (first === undefined) first = chunk;
    else (rest ??= [first]).push(chunk);
  });
  stream.on("end", () => {
    if (rest !== undefined) done(undefined, Buffer.concat(rest).toString("utf8"));
    else done(undefined, first === undefined ? "" : first.toString("utf8"));
  });
  stream.on("error", (error) => done(error, ""));
}
