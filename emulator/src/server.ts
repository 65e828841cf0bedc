/**
 * HTTP(S) plumbing: body limits, CORS, faults, authentication, api-version, response headers.
 * Routing is in routes.ts, the operations in identityHandlers.ts and accessHandlers.ts, the resource's
 * credentials in resourceAuthentication.ts, state in identityStore.ts.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setImmediate } from "node:timers";
import { TLSSocket } from "node:tls";
import type { EmulatorClock } from "./clock.js";
import { matchControlRoute, runControlRoute, type ControlReply } from "./controlApi.js";
import type { EntraAuthority } from "./entraAuthority.js";
import type { VerifiedEntraToken } from "./entraTokens.js";
import { EmulatorHttpError, explanationOf, type Explanation } from "./errors.js";
import type { FaultPlan } from "./faults.js";
import { verifyContentHash } from "./hmacVerifier.js";
import type { IdentityStore } from "./identityStore.js";
import { parseJsonBody } from "./jsonInput.js";
import { JournalError } from "./journal.js";
import type { RequestLog } from "./requestLog.js";
import { parseRequestTarget } from "./requestTarget.js";
import { verifyResourceCredentials } from "./resourceAuthentication.js";
import { matchRoute, newestApiVersion, SUPPORTED_API_VERSIONS, type ApiVersion, type RouteContext } from "./routes.js";

const MAX_BODY_BYTES = 1024 * 1024;
/** Beyond this we stop draining an oversized body and just close the connection. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;
const SUPPORTED_VERSIONS_HEADER = SUPPORTED_API_VERSIONS.join(", ");
/** `api-version=<version>` for each version served (what URLSearchParams reads from it: that version). */
const SIMPLE_QUERIES: ReadonlyMap<string, string> = new Map(SUPPORTED_API_VERSIONS.map((version) => [`api-version=${version}`, version]));
const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const DEFAULT_ALLOWED_HEADERS =
  "authorization, x-ms-date, x-ms-content-sha256, x-ms-client-request-id, x-ms-useragent, content-type, accept, traceparent";
const EXPOSED_HEADERS = "api-supported-versions, ms-cv, x-ms-client-request-id, retry-after, x-processing-time";

export interface EmulatorServerOptions {
  store: IdentityStore;
  faults: FaultPlan;
  now: () => Date;
  tls?: { cert: string; key: string };
  /** The local Entra ID authority (`/{tenant}/…` paths), when configured. */
  authority?: EntraAuthority;
  /** Where answered requests are recorded (the inspector, `GET /_emulator/requests`, the terminal line). */
  log: RequestLog;
  /** The clock `POST /_emulator/clock` moves; `now` reads it. */
  clock: EmulatorClock;
  /** Serve api-versions the emulator does not know as the newest one it knows, instead of 400 UnsupportedApiVersion. */
  loose?: boolean;
}

export function createEmulatorServer(options: EmulatorServerOptions): http.Server {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, options).catch((error: unknown) => answerFailure(req, res, error));
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener) : http.createServer(listener);
  // Requests Node's parser refuses (unknown method, oversized headers, bad framing) still get the envelope.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const body = JSON.stringify({
      error: tooLarge
        ? { code: "RequestHeaderFieldsTooLarge", message: "The request line or headers are too large." }
        : { code: "BadRequest", message: "The request is not valid HTTP/1.1." },
    });
    const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
    socket.end(
      `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  return server;
}

interface Reply {
  status: number;
  body?: unknown;
  /** `JSON.stringify(body)`, when the handler made it already. */
  json?: string;
  headers?: Record<string, string>;
  /** A non-JSON answer (the inspector's files). */
  page?: ControlReply["page"];
  /** Why a request was refused, for the request log. */
  explanation?: Explanation;
}

/** What `send` learnt about an answer, read when the request log records it. */
interface LogNote {
  quiet?: boolean;
  code?: string;
  explanation?: Explanation;
  fault?: string;
}

/** A request being answered: what the log needs once it is done, plus the note `send` fills in. */
interface Exchange extends LogNote {
  options: EmulatorServerOptions;
  started: number;
  method: string;
  url: string;
  path: string;
}

// Kept on the response itself (one property, no closure or WeakMap entry per request).
const NOTE = Symbol("requestLogNote");
type NotedResponse = ServerResponse & { [NOTE]?: LogNote | Exchange };

/** Records the request in the log once its answer is sent, or its connection dropped (status 0). */
function recordWhenDone(res: ServerResponse, options: EmulatorServerOptions, started: number, method: string, url: string, path: string): void {
  const exchange: Exchange = { options, started, method, url, path };
  (res as NotedResponse)[NOTE] = exchange;
  res.on("close", recordExchange);
}

/** The response's `close` listener (shared by every response; `this` is the response). */
function recordExchange(this: ServerResponse): void {
  const exchange = (this as NotedResponse)[NOTE] as Exchange;
  if (exchange.quiet) return;
  // The raw facts only: the log formats the entry (ISO time, api-version) when it is read.
  exchange.options.log.recordAnswered({
    atMs: exchange.options.now().getTime(),
    method: exchange.method,
    path: exchange.path,
    target: exchange.url,
    status: this.headersSent ? this.statusCode : 0,
    durationMs: Math.max(0, Math.round(performance.now() - exchange.started)),
    code: exchange.code,
    explanation: exchange.explanation,
    fault: exchange.fault,
  });
}

function noteFor(res: ServerResponse): LogNote {
  return ((res as NotedResponse)[NOTE] ??= {});
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: EmulatorServerOptions,
): Promise<void> {
  const { store, faults, now, authority } = options;
  const started = performance.now();
  const method = (req.method ?? "GET").toUpperCase();
  // Absolute-form (through a proxy) and origin-form alike; an absolute-form authority stands for Host (RFC 9112 §3.2.2).
  const target = parseRequestTarget(req.url ?? "/");
  if (target.authority !== undefined) req.headers.host = target.authority;
  const url = target.originForm;
  const path = target.path;
  recordWhenDone(res, options, started, method, url, path);

  if (method === "OPTIONS" && req.headers.origin !== undefined && req.headers["access-control-request-method"] !== undefined) {
    req.resume();
    answerPreflight(req, res);
    return;
  }

  // The Entra ID authority's paths (MSAL's OpenID configuration and token endpoint): no faults, no HMAC, no api-version.
  const authorityRoute = authority?.route(method, path);
  if (authorityRoute) {
    const answer = await authorityRoute(req);
    // A refused token request shows in the request log and on the terminal with Entra ID's error and why.
    if (answer.refusal) Object.assign(noteFor(res), { code: answer.refusal.code, explanation: answer.refusal });
    send(req, res, started, answer);
    return;
  }

  // The control API and the inspector (before faults, so a catch-all rule cannot lock out DELETE /_emulator/faults).
  const control = matchControlRoute(method, path, req);
  if (control) {
    if (control.route.quiet) noteFor(res).quiet = true;
    let reply: Reply;
    try {
      const readWholeBody = async () => {
        const body = await readBody(req);
        if (body === "too-large") throw bodyTooLarge();
        return body;
      };
      const state = { store, faults, log: options.log, clock: options.clock };
      reply = await runControlRoute(control, { req, method, url, path, readBody: readWholeBody, state });
    } catch (error) {
      reply = replyForError(error);
      // A refused control request is worth seeing even where its successful twin is quiet.
      noteFor(res).quiet = false;
    }
    send(req, res, started, closeIfUndrained(req, reply));
    return;
  }

  // Faults come first (before auth) so a client's retry logic can be exercised with any credential.
  const fault = faults.take(method, path);
  let dropResponse = false;
  if (fault) {
    noteFor(res).fault = describeFault(fault);
    if ("reset" in fault) {
      req.socket.destroy();
      return;
    }
    if ("status" in fault) {
      await readBody(req);
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
      const body = fault.body ?? { error: { code: "InjectedFault", message: `Fault injected by the emulator (status ${fault.status}).` } };
      send(req, res, started, { status: fault.status, body, headers });
      return;
    }
    if ("delayMs" in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    dropResponse = "dropResponseAfterHandling" in fault;
  }

  let reply: Reply;
  try {
    reply = await dispatch(req, method, url, path, store, now, options.loose === true);
  } catch (error) {
    reply = replyForError(error);
  }
  if (dropResponse) {
    req.socket.destroy();
    return;
  }
  sendThisTurn(req, res, started, closeIfUndrained(req, reply));
}

/** Last resort: whatever happened, answer (or drop) this request and keep serving others. */
function answerFailure(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  try {
    if (!res.headersSent && !res.destroyed) send(req, res, performance.now(), internalError(error));
    else res.destroy();
  } catch {
    res.destroy();
  }
}

// The service API's answers wait for the end of the event loop's turn, then go out back to back: the requests that
// arrived together are all handled first. Each answer written wakes the client process waiting for it, and that
// wake-up is most of what an answer costs the kernel; written together, the answers of one turn wake a client once,
// not once each. An idle emulator still answers at once: its turn ends right after the one request.
// (node:timers' own setImmediate: a test faking the global timers must not hold the answers back.)
let answersThisTurn: Array<IncomingMessage | ServerResponse | number | Reply> = [];

function sendThisTurn(req: IncomingMessage, res: ServerResponse, started: number, reply: Reply): void {
  if (answersThisTurn.push(req, res, started, reply) === 4) setImmediate(sendAnswersOfThisTurn);
}

function sendAnswersOfThisTurn(): void {
  const answers = answersThisTurn;
  answersThisTurn = [];
  for (let index = 0; index < answers.length; index += 4) {
    const req = answers[index] as IncomingMessage;
    const res = answers[index + 1] as ServerResponse;
    try {
      send(req, res, answers[index + 2] as number, answers[index + 3] as Reply);
    } catch (error) {
      answerFailure(req, res, error);
    }
  }
}

/** Refused before its body was read: Node discards the rest of it, unless it is too large to be worth it (then the connection closes). */
function closeIfUndrained(req: IncomingMessage, reply: Reply): Reply {
  if (!req.complete && Number(req.headers["content-length"]) > MAX_DRAIN_BYTES) reply.headers = { ...reply.headers, Connection: "close" };
  return reply;
}

async function dispatch(
  req: IncomingMessage,
  method: string,
  url: string,
  path: string,
  store: IdentityStore,
  now: () => Date,
  loose: boolean,
): Promise<Reply> {
  // Route, credentials and api-version come from the request line and headers: a request refused
  // for any of them is refused before its body is read (and never buffered).
  const match = matchRoute(method, path);
  if (match.kind === "not-found") throw new EmulatorHttpError(404, "NotFound", `No route for ${method} ${path}.`);
  if (match.kind === "wrong-method") {
    throw new EmulatorHttpError(405, "MethodNotAllowed", `${method} is not allowed on ${path}.`, undefined, { Allow: match.allowed.join(", ") });
  }
  const { route, params } = match;
  const time = now();

  // The caller's own Entra token (the access exchanges), else the resource's credentials.
  let caller: VerifiedEntraToken | undefined;
  let signed = false;
  if (route.authenticateCaller) caller = route.authenticateCaller(req.headers.authorization, store, time);
  else signed = verifyResourceCredentials({ method, url, headers: req.headers }, store.secrets, time) === "hmac";
  const queryText = url.slice(url.indexOf("?") + 1 || url.length);
  // Most queries are just `api-version=<a version we serve>`: their one parameter is read without URLSearchParams.
  const query = SIMPLE_QUERIES.has(queryText) ? undefined : new URLSearchParams(queryText);
  const requested = query ? query.get("api-version") : SIMPLE_QUERIES.get(queryText)!;
  if (requested === null || requested === "") {
    throw new EmulatorHttpError(400, "MissingApiVersionParameter", "The api-version query parameter is required.", undefined, {
      "api-supported-versions": SUPPORTED_VERSIONS_HEADER,
    });
  }
  const known = (SUPPORTED_API_VERSIONS as readonly string[]).includes(requested);
  if (!known && !loose) {
    throw new EmulatorHttpError(
      400,
      "UnsupportedApiVersion",
      `The api-version '${requested}' is not supported. Supported versions: ${SUPPORTED_VERSIONS_HEADER}.`,
      undefined,
      { "api-supported-versions": SUPPORTED_VERSIONS_HEADER },
    );
  }
  // Loose: an SDK newer than the emulator sends a version it does not know; serve it as the newest.
  const apiVersion: ApiVersion = known ? (requested as ApiVersion) : newestApiVersion;
  if (!route.versions.includes(apiVersion)) {
    throw new EmulatorHttpError(
      400,
      "UnsupportedApiVersion",
      `${route.method} ${route.template} is not available in api-version '${requested}'; use ${route.versions.join(" or ")}.`,
      undefined,
      { "api-supported-versions": route.versions.join(", ") },
    );
  }

  const body = await readBody(req);
  if (body === "too-large") throw bodyTooLarge();
  // The signature covered the declared content hash; now the body must match it.
  if (signed) verifyContentHash(req.headers, body);
  const json = parseJsonBody(body);
  const context = new HandlerContext(store, apiVersion, params, json, time, caller, queryText, query, req);
  const result = route.handle(context);
  // Acknowledge only what is on disk (a no-op without `location`).
  const durable = store.durable();
  if (durable) await durable;
  return result;
}

/** What a handler is given; the query and origin, which only a listing reads (for its nextLink), are made when read. */
class HandlerContext implements RouteContext {
  constructor(
    readonly store: IdentityStore,
    readonly apiVersion: ApiVersion,
    readonly params: Record<string, string>,
    readonly body: unknown,
    readonly now: Date,
    readonly caller: VerifiedEntraToken | undefined,
    private readonly queryText: string,
    private parsedQuery: URLSearchParams | undefined,
    private readonly req: IncomingMessage,
  ) {}

  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(this.queryText));
  }

  get origin(): string {
    return `${this.req.socket instanceof TLSSocket ? "https" : "http"}://${this.req.headers.host ?? "127.0.0.1"}`;
  }
}

function bodyTooLarge(): EmulatorHttpError {
  return new EmulatorHttpError(413, "RequestEntityTooLarge", `The request body exceeds ${MAX_BODY_BYTES} bytes.`, undefined, { Connection: "close" });
}

/** Reads the whole body, or drains and reports an oversized one. */
function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  const declared = Number(req.headers["content-length"]);
  if (declared > MAX_DRAIN_BYTES) {
    return Promise.resolve("too-large");
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > MAX_BODY_BYTES;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (size > MAX_DRAIN_BYTES) {
        req.pause();
        resolve("too-large");
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 204;
  res.setHeader("Access-Control-Allow-Origin", req.headers.origin!);
  res.setHeader("Vary", "Origin, Access-Control-Request-Headers");
  res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
  res.setHeader("Access-Control-Allow-Headers", req.headers["access-control-request-headers"] || DEFAULT_ALLOWED_HEADERS);
  res.setHeader("Access-Control-Max-Age", "86400");
  res.setHeader("Content-Length", "0");
  res.end();
}

function describeFault(fault: NonNullable<ReturnType<FaultPlan["take"]>>): string {
  if ("status" in fault) return `status ${fault.status}`;
  if ("reset" in fault) return "connection reset";
  if ("delayMs" in fault) return `delay ${fault.delayMs} ms`;
  return "response dropped after handling";
}

function send(req: IncomingMessage, res: ServerResponse, started: number, reply: Reply): void {
  const note = noteFor(res);
  const code = (reply.body as { error?: { code?: unknown } } | undefined)?.error?.code;
  if (reply.status >= 400 && typeof code === "string") note.code = code;
  if (reply.explanation) note.explanation = reply.explanation;
  // One flat header list and a string body: Node then writes head and body in a single write
  // (a Buffer body makes it a writev) and skips setHeader's per-call bookkeeping.
  const headers: string[] = ["api-supported-versions", SUPPORTED_VERSIONS_HEADER, "MS-CV", correlationVector()];
  const requestId = req.headers["x-ms-client-request-id"];
  if (typeof requestId === "string") headers.push("x-ms-client-request-id", requestId);
  const origin = req.headers.origin;
  if (origin !== undefined) headers.push("Access-Control-Allow-Origin", origin, "Access-Control-Expose-Headers", EXPOSED_HEADERS, "Vary", "Origin");
  if (reply.headers) for (const name of Object.keys(reply.headers)) setHeader(headers, name, reply.headers[name]);
  headers.push("X-Processing-Time", `${Math.max(0, Math.round(performance.now() - started))}ms`);
  if (reply.page) {
    headers.push("Content-Type", reply.page.contentType, "Content-Length", String(Buffer.byteLength(reply.page.text)));
    res.writeHead(reply.status, headers);
    res.end(req.method === "HEAD" ? undefined : reply.page.text);
    return;
  }
  if (reply.body === undefined) {
    headers.push("Content-Length", "0");
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const payload = reply.json ?? JSON.stringify(reply.body);
  headers.push("Content-Type", "application/json; charset=utf-8", "Content-Length", String(Buffer.byteLength(payload)));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Sets a header in a flat [name, value, …] list, replacing one of the same name (a reply overrides a default). */
function setHeader(headers: string[], name: string, value: string): void {
  const lower = name.toLowerCase();
  for (let index = 0; index < headers.length; index += 2) {
    if (headers[index].toLowerCase() === lower) {
      headers[index + 1] = value;
      return;
    }
  }
  headers.push(name, value);
}

// MS-CV values are 12 random bytes, base64; drawn from a pool so the CSPRNG is called once per 512 answers.
const CV_BYTES = 12;
let cvPool = Buffer.alloc(0);
let cvOffset = 0;

function correlationVector(): string {
  if (cvOffset === cvPool.length) {
    cvPool = randomBytes(CV_BYTES * 512);
    cvOffset = 0;
  }
  cvOffset += CV_BYTES;
  return cvPool.toString("base64", cvOffset - CV_BYTES, cvOffset);
}

/** The answer to a failed request: its EmulatorHttpError's, else a generic 500. */
function replyForError(error: unknown): Reply {
  if (!(error instanceof EmulatorHttpError)) return internalError(error);
  return { status: error.status, body: error.toBody(), headers: error.headers, explanation: explanationOf(error) };
}

function internalError(error: unknown): Reply {
  // Journal failures carry a path, never a secret; anything else stays generic.
  const message = error instanceof JournalError ? error.message : "The emulator hit an unexpected error.";
  return { status: 500, body: { error: { code: "InternalError", message } }, explanation: { code: "InternalError", message } };
}
