import net from "node:net";
import tls from "node:tls";
import zlib from "node:zlib";

// HTTP/1.1 over pooled keep-alive sockets, without node:http: one write per request, one parse per
// answer. node:http's ClientRequest/IncomingMessage/Agent machinery costs more CPU per request
// than this whole client spends elsewhere. Needs nothing from the Azure core packages.

/** What to send: the caller has validated the URL and computed Content-Length. */
export interface Http1Request {
  readonly url: URL;
  readonly method: string;
  /** Header name/value pairs as sent (case kept). */
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array | undefined;
  /** Decode gzip/deflate/br bodies (the request asked for compression). */
  readonly decompress: boolean;
  readonly keepAlive: boolean;
  /** Extra `tls.connect` options (tlsPolicy's settings); sockets are pooled per settings object. */
  readonly tlsSettings: object | undefined;
}

export interface Http1Answer {
  status: number;
  /** Response headers, names lower-cased, repeated values merged as node:http merges them. */
  headers: Map<string, string>;
  /** Undefined for HEAD; the decoded body otherwise. */
  body: Buffer | undefined;
}

/** Where an exchange failed: before the response head arrived ("send") or while reading the body ("body"). */
export type Http1Failure = Error & { code?: string; phase: "send" | "body" };

/** What a request got from the transport: the answer or the failure (a direct call hands it to the pipeline). */
export type FirstAttempt = { answer: Http1Answer } | { failure: Http1Failure };

/** A running exchange; `abort()` destroys its socket and drops the answer. */
export interface Http1Exchange {
  abort(): void;
}

type Done = (failure: Http1Failure | undefined, answer?: Http1Answer) => void;

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What node:http accepts in a header value (latin1, no CR/LF/NUL).
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const NON_ASCII = /[\u0080-\uffff]/;
const BODILESS_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);
// node:http keeps the first of these when a response repeats them; other repeats are joined with ", ".
const FIRST_WINS = new Set([
  "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host", "if-modified-since",
  "if-unmodified-since", "last-modified", "location", "max-forwards", "proxy-authorization", "referer", "retry-after",
  "server", "user-agent", "set-cookie",
]);
// node:http's agent retires an idle socket this long before the server's announced keep-alive timeout.
const KEEP_ALIVE_MARGIN_MS = 1000;
const CRLF_CRLF = Buffer.from("\r\n\r\n");
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})/;

function failure(message: string, phase: Http1Failure["phase"], code?: string): Http1Failure {
  return Object.assign(new Error(message), { code, phase });
}

/**
 * The request head as one string, or a TypeError naming the header node:http would refuse
 * (thrown, so the caller rejects before any socket is touched).
 */
export function serializeHead(request: Http1Request): string {
  const { url, method, headers } = request;
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  let hasHost = false;
  let hasLength = false;
  let hasConnection = false;
  for (const name in headers) {
    const value = headers[name];
    if (!HEADER_NAME.test(name)) throw Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: "ERR_INVALID_HTTP_TOKEN" });
    if (INVALID_VALUE.test(value)) throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: "ERR_INVALID_CHAR" });
    const lower = name.length === 4 || name.length === 10 || name.length === 14 ? name.toLowerCase() : "";
    if (lower === "host") hasHost = true;
    else if (lower === "connection") hasConnection = true;
    else if (lower === "content-length") hasLength = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!hasHost) head += `Host: ${url.host}\r\n`;
  // A Connection header the caller set is sent as is (the answer's own Connection header still decides reuse).
  if (!hasConnection) head += request.keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  // As node:http: a bodiless POST/PUT/PATCH still says Content-Length: 0.
  if (!hasLength && request.body === undefined && !BODILESS_METHODS.has(method)) head += "Content-Length: 0\r\n";
  return `${head}\r\n`;
}

interface Connection {
  readonly socket: net.Socket;
  readonly pool: Pool;
  reading: ResponseReader | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

class Pool {
  readonly idle: Connection[] = [];
  session: Buffer | undefined;
  constructor(
    readonly url: URL,
    readonly tlsSettings: object | undefined,
  ) {}

  connect(): Connection {
    const { url } = this;
    const secure = url.protocol === "https:";
    // URL keeps IPv6 literals bracketed; sockets want them bare.
    const host = url.hostname.charCodeAt(0) === 91 ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port) || (secure ? 443 : 80);
    const socket = secure
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ALPNProtocols: ["http/1.1"],
          session: this.session,
          ...this.tlsSettings,
        })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    const connection: Connection = { socket, pool: this, reading: undefined, idleTimer: undefined };
    if (secure) socket.on("session", (session: Buffer) => (this.session = session));
    socket.on("data", (chunk: Buffer) => {
      if (connection.reading) connection.reading.receive(chunk);
      // Bytes nobody asked for: the connection can no longer be trusted.
      else socket.destroy();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => connection.reading?.fail(error));
    socket.on("close", () => {
      this.forget(connection);
      connection.reading?.closed();
    });
    // A server closing an idle keep-alive socket: never hand it out again.
    socket.on("end", () => {
      this.forget(connection);
      if (!connection.reading) socket.destroy();
    });
    return connection;
  }

  /** A free connection (the most recently used, whose socket is least likely to have timed out) or a new one. */
  take(): Connection {
    let connection = this.idle.pop();
    // A socket the server half-closed a moment ago may still be listed: never write to it.
    while (connection !== undefined && (connection.socket.destroyed || !connection.socket.writable)) connection = this.idle.pop();
    if (connection === undefined) return this.connect();
    if (connection.idleTimer !== undefined) clearTimeout(connection.idleTimer);
    connection.idleTimer = undefined;
    connection.socket.ref();
    return connection;
  }

  release(connection: Connection, keepAliveMs: number | undefined): void {
    connection.reading = undefined;
    if (connection.socket.destroyed) return;
    if (keepAliveMs !== undefined && keepAliveMs <= 0) {
      connection.socket.destroy();
      return;
    }
    // Idle sockets never keep the process alive.
    connection.socket.unref();
    if (keepAliveMs !== undefined) {
      connection.idleTimer = setTimeout(() => connection.socket.destroy(), keepAliveMs);
      connection.idleTimer.unref();
    }
    this.idle.push(connection);
  }

  forget(connection: Connection): void {
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
    if (connection.idleTimer !== undefined) clearTimeout(connection.idleTimer);
  }
}

/** Parses one response (skipping 1xx heads) from the bytes a connection receives. */
class ResponseReader {
  private buffer: Buffer | undefined;
  private status = 0;
  private headers: Map<string, string> | undefined;
  private mode: "head" | "length" | "chunked" | "close" = "head";
  private remaining = 0;
  private readonly chunks: Buffer[] = [];
  private reusable = false;
  private settled = false;

  constructor(
    private readonly connection: Connection,
    private readonly request: Http1Request,
    private readonly done: Done,
  ) {}

  receive(chunk: Buffer): void {
    this.buffer = this.buffer === undefined || this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    try {
      this.advance();
    } catch (error) {
      this.connection.socket.destroy();
      this.settle(failure(`Invalid HTTP response: ${(error as Error).message}`, this.headers ? "body" : "send", "HPE_INVALID"));
    }
  }

  fail(error: NodeJS.ErrnoException): void {
    this.settle(failure(error.message, this.headers ? "body" : "send", error.code));
  }

  closed(): void {
    if (this.settled) return;
    if (this.mode === "close" && this.headers) {
      this.finish();
      return;
    }
    // node:http's messages: no head is a hang-up (retried by core's policy), a short body is "aborted".
    this.settle(this.headers ? failure("aborted", "body", "ECONNRESET") : failure("socket hang up", "send", "ECONNRESET"));
  }

  abort(): void {
    this.settled = true;
    // After the answer's last byte the connection may already serve another request (the body is being decoded).
    if (this.connection.reading !== this) return;
    this.connection.reading = undefined;
    this.connection.socket.destroy();
  }

  private advance(): void {
    while (!this.settled && this.buffer !== undefined && this.buffer.length > 0) {
      const buffer = this.buffer;
      if (this.mode === "head") {
        const end = buffer.indexOf(CRLF_CRLF);
        if (end < 0) {
          if (buffer.length > 81_920) throw new Error("header overflow");
          return;
        }
        this.buffer = buffer.subarray(end + 4);
        this.readHead(buffer.toString("latin1", 0, end));
      } else if (this.mode === "length") {
        const take = Math.min(this.remaining, buffer.length);
        this.chunks.push(buffer.subarray(0, take));
        this.remaining -= take;
        this.buffer = buffer.subarray(take);
        if (this.remaining === 0) this.finish();
      } else if (this.mode === "chunked") {
        if (!this.readChunk(buffer)) return;
      } else {
        this.chunks.push(buffer);
        this.buffer = undefined;
      }
    }
  }

  private readHead(head: string): void {
    let lineEnd = head.indexOf("\r\n");
    if (lineEnd < 0) lineEnd = head.length;
    const statusLine = STATUS_LINE.exec(head.slice(0, lineEnd));
    if (statusLine === null) throw new Error("bad status line");
    const status = Number(statusLine[2]);
    if (status >= 100 && status < 200 && status !== 101) return; // 100 Continue, 103 Early Hints: the answer follows.
    const headers = new Map<string, string>();
    // Line by line without splitting the head: this runs once per answer.
    while (lineEnd < head.length) {
      const lineStart = lineEnd + 2;
      lineEnd = head.indexOf("\r\n", lineStart);
      if (lineEnd < 0) lineEnd = head.length;
      const colon = head.indexOf(":", lineStart);
      if (colon <= lineStart || colon > lineEnd) throw new Error("bad header line");
      const name = head.slice(lineStart, colon).trim().toLowerCase();
      const value = head.slice(colon + 1, lineEnd).trim();
      const seen = headers.get(name);
      if (seen === undefined) headers.set(name, value);
      else if (!FIRST_WINS.has(name)) headers.set(name, `${seen}, ${value}`);
    }
    this.status = status;
    this.headers = headers;
    const connectionHeader = headers.get("connection")?.toLowerCase();
    this.reusable =
      this.request.keepAlive &&
      (statusLine[1] === "1" ? !connectionHeader?.includes("close") : connectionHeader?.includes("keep-alive") === true);
    const length = headers.get("content-length");
    if (this.request.method === "HEAD" || status === 204 || status === 304) {
      this.finish();
    } else if (headers.get("transfer-encoding")?.toLowerCase().includes("chunked")) {
      this.mode = "chunked";
    } else if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw new Error("bad Content-Length");
      this.remaining = Number(length);
      this.mode = "length";
      if (this.remaining === 0) this.finish();
    } else {
      this.mode = "close";
      this.reusable = false;
    }
  }

  /** Consumes one chunk (size line, data, CRLF) or the last chunk and trailers; false when more bytes are needed. */
  private readChunk(buffer: Buffer): boolean {
    const lineEnd = buffer.indexOf("\r\n");
    if (lineEnd < 0) return false;
    const size = Number.parseInt(buffer.toString("latin1", 0, lineEnd).split(";")[0].trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw new Error("bad chunk size");
    if (size === 0) {
      // Trailers end with an empty line; they are ignored, as node:http keeps them apart from headers.
      const end = lineEnd === buffer.indexOf(CRLF_CRLF) ? lineEnd : buffer.indexOf(CRLF_CRLF, lineEnd);
      if (end < 0) return false;
      this.buffer = buffer.subarray(end + 4);
      this.finish();
      return true;
    }
    const dataStart = lineEnd + 2;
    if (buffer.length < dataStart + size + 2) return false;
    this.chunks.push(buffer.subarray(dataStart, dataStart + size));
    this.buffer = buffer.subarray(dataStart + size + 2);
    return true;
  }

  private finish(): void {
    if (this.settled) return;
    const { connection, request } = this;
    const leftover = this.buffer !== undefined && this.buffer.length > 0;
    if (this.reusable && !leftover) connection.pool.release(connection, keepAliveMsOf(this.headers!));
    else {
      connection.reading = undefined;
      connection.socket.destroy();
    }
    const headers = this.headers!;
    if (request.method === "HEAD") {
      this.settle(undefined, { status: this.status, headers, body: undefined });
      return;
    }
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const encoding = request.decompress && body.length > 0 ? headers.get("content-encoding")?.trim().toLowerCase() : undefined;
    const decode = encoding === "gzip" || encoding === "x-gzip" ? zlib.gunzip : encoding === "deflate" ? zlib.inflate : encoding === "br" ? zlib.brotliDecompress : undefined;
    if (decode === undefined) {
      this.settle(undefined, { status: this.status, headers, body });
      return;
    }
    // Settled flag stays false while decoding so an abort in the meantime still wins.
    decode(body, (error, decoded) => {
      if (error) this.settle(failure(error.message, "body", (error as NodeJS.ErrnoException).code));
      else this.settle(undefined, { status: this.status, headers, body: decoded });
    });
  }

  private settle(error: Http1Failure | undefined, answer?: Http1Answer): void {
    if (this.settled) return;
    this.settled = true;
    if (this.connection.reading === this) this.connection.reading = undefined;
    this.done(error, answer);
  }
}

/** `Keep-Alive: timeout=N` as an idle lifetime in ms (minus node:http's margin); undefined when absent. */
function keepAliveMsOf(headers: Map<string, string>): number | undefined {
  const keepAlive = headers.get("keep-alive");
  const timeout = keepAlive === undefined ? null : /timeout=(\d+)/i.exec(keepAlive);
  return timeout === null ? undefined : Number(timeout[1]) * 1000 - KEEP_ALIVE_MARGIN_MS;
}

/**
 * Keep-alive connections per origin and per `tlsSettings` object (tlsPolicy hands every request the
 * same object), as node:http's agents keep them: the most recently used free connection is taken
 * first, idle ones never hold the process open and retire before the server's announced timeout.
 */
export class ConnectionPools {
  private readonly plain = new Map<string, Pool>();
  private readonly byTlsSettings = new WeakMap<object, Map<string, Pool>>();

  /**
   * Sends one request on a free connection to its origin (a new one when none is free) and calls
   * `done` once, with the answer or the failure. A request without keep-alive gets a connection of its own.
   */
  startExchange(request: Http1Request, head: string, done: Done): Http1Exchange {
    const pool = this.poolFor(request.url, request.tlsSettings);
    const connection = request.keepAlive ? pool.take() : pool.connect();
    const reader = new ResponseReader(connection, request, done);
    connection.reading = reader;
    const { socket } = connection;
    const body = request.body;
    if (body === undefined) socket.write(head, "latin1");
    else if (typeof body === "string" && !NON_ASCII.test(head)) socket.write(head + body);
    else {
      socket.cork();
      socket.write(head, "latin1");
      socket.write(body);
      socket.uncork();
    }
    return { abort: () => reader.abort() };
  }

  private poolFor(url: URL, tlsSettings: object | undefined): Pool {
    const secureSettings = url.protocol === "https:" ? tlsSettings : undefined;
    let pools = this.plain;
    if (secureSettings !== undefined) {
      pools = this.byTlsSettings.get(secureSettings) ?? new Map<string, Pool>();
      this.byTlsSettings.set(secureSettings, pools);
    }
    const origin = url.origin;
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(url, secureSettings);
      pools.set(origin, pool);
    }
    return pool;
  }
}

/** The process's connections: the default HTTP client and direct calls share them. */
export const defaultConnectionPools = new ConnectionPools();
