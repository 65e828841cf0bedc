/**
 * The recent requests the emulator answered, newest last, in a fixed-size ring: what the inspector page,
 * `GET /_emulator/requests`, `emulator.requests()` and the terminal line show. An entry holds the
 * request's method, path, api-version, status and, for a refusal, why; never a header value, body or key.
 */
import type { Explanation } from "./errors.js";

/**
 * One answered request, as `emulator.requests()`, `GET /_emulator/requests` and the inspector list it. The control
 * API's reads that the inspector polls are not logged.
 */
export interface RequestLogEntry {
  /** 1, 2, 3, … in arrival order; `GET /_emulator/requests?after=<seq>` returns later ones only. */
  seq: number;
  /** When the answer was sent (the emulator's clock, ISO 8601). */
  at: string;
  /** The request's method, upper-cased. */
  method: string;
  /** The path without the query. */
  path: string;
  /** The `api-version` query parameter as sent (even one the emulator does not serve); absent when there is none. */
  apiVersion?: string;
  /** The status sent; 0 when the connection was dropped instead (an injected `reset` or `dropResponseAfterHandling`). */
  status: number;
  /**
   * Milliseconds from when the emulator began handling the request (its headers received) to when its answer was
   * sent or its connection closed, rounded to a whole number (0 for a fast one); includes an injected `delayMs`.
   */
  durationMs: number;
  /** `error.code` of an error answer. */
  code?: string;
  /** Why the request was refused (also the answer's `error.innererror`, when it has one). */
  explanation?: Explanation;
  /** Set when an injected fault decided the answer. */
  fault?: string;
}

export type RequestLogListener = (entry: RequestLogEntry) => void;

/**
 * An answered request as the server knows it: the raw facts, formatted into a {@link RequestLogEntry} (ISO time,
 * api-version from the query) only when someone reads the log, so recording costs the request path next to nothing.
 */
export interface AnsweredRequest {
  /** When the answer was sent, epoch ms on the emulator's clock. */
  atMs: number;
  method: string;
  path: string;
  /** The request target (path and query) as received. */
  target: string;
  status: number;
  durationMs: number;
  code?: string;
  explanation?: Explanation;
  fault?: string;
}

const DEFAULT_CAPACITY = 500;

export class RequestLog {
  /** Entry `seq` lives at `(seq - 1) % capacity`: recording is O(1) on the request path. */
  private readonly ring: Array<RequestLogEntry | AnsweredRequest> = [];
  private readonly listeners = new Set<RequestLogListener>();
  private seq = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  record(entry: Omit<RequestLogEntry, "seq">): RequestLogEntry {
    const full: RequestLogEntry = { seq: ++this.seq, ...entry };
    this.ring[(full.seq - 1) % this.capacity] = full;
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Records an answer as is; it becomes a {@link RequestLogEntry} when listed (or at once, for a subscriber). */
  recordAnswered(answered: AnsweredRequest): void {
    const seq = ++this.seq;
    const slot = (seq - 1) % this.capacity;
    if (this.listeners.size === 0) {
      this.ring[slot] = answered;
      return;
    }
    const entry = entryOf(seq, answered);
    this.ring[slot] = entry;
    for (const listener of this.listeners) listener(entry);
  }

  /** Entries after sequence number `after` (all kept ones by default), oldest first. */
  list(after = 0): RequestLogEntry[] {
    const entries: RequestLogEntry[] = [];
    for (let seq = Math.max(after, this.seq - this.capacity, 0) + 1; seq <= this.seq; seq++) {
      const slot = (seq - 1) % this.capacity;
      let kept = this.ring[slot];
      if ("atMs" in kept) this.ring[slot] = kept = entryOf(seq, kept);
      entries.push(structuredClone(kept));
    }
    return entries;
  }

  /** Requests answered since start (including those the ring no longer holds). */
  get total(): number {
    return this.seq;
  }

  subscribe(listener: RequestLogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The entry of an answer recorded as `seq`, with its keys in the order the log has always listed them. */
function entryOf(seq: number, answered: AnsweredRequest): RequestLogEntry {
  const { target } = answered;
  const queryStart = target.indexOf("?");
  const apiVersion = queryStart < 0 ? null : new URLSearchParams(target.slice(queryStart + 1)).get("api-version");
  return {
    seq,
    at: new Date(answered.atMs).toISOString(),
    method: answered.method,
    path: answered.path,
    ...(apiVersion ? { apiVersion } : {}),
    status: answered.status,
    durationMs: answered.durationMs,
    ...(answered.code ? { code: answered.code } : {}),
    ...(answered.explanation ? { explanation: answered.explanation } : {}),
    ...(answered.fault ? { fault: answered.fault } : {}),
  };
}

/** `12:00:01.234 POST /identities 2025-03-02-preview -> 401 Denied (3 ms): <why>`: the terminal's line. */
export function formatRequestLine(entry: RequestLogEntry): string {
  const time = entry.at.slice(11, 23);
  const version = entry.apiVersion ? ` ${entry.apiVersion}` : "";
  const outcome = entry.status === 0 ? "connection dropped" : `${entry.status}${entry.code ? ` ${entry.code}` : ""}`;
  let line = `${time} ${entry.method} ${entry.path}${version} -> ${outcome} (${entry.durationMs} ms)`;
  if (entry.fault) line += ` [injected fault: ${entry.fault}]`;
  // The message of a signature refusal already carries the string-to-sign and the clock skew.
  if (entry.explanation) line += `: ${entry.explanation.message}`;
  return line;
}
