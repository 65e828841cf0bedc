/**
 * The recent requests the emulator answered, newest last, in a fixed-size ring: what the inspector page,
 * `GET /_emulator/requests`, `emulator.requests()` and the terminal line show. An entry holds the
 * request's method, path, api-version, status and, for a refusal, why; never a header value, body or key.
 */
import type { Explanation } from "./errors.js";

export interface RequestLogEntry {
  /** 1, 2, 3, … in arrival order; `GET /_emulator/requests?after=<seq>` returns later ones only. */
  seq: number;
  /** When the answer was sent (the emulator's clock, ISO 8601). */
  at: string;
  method: string;
  /** The path without the query. */
  path: string;
  apiVersion?: string;
  /** The status sent; 0 when the connection was dropped instead (an injected `reset` or `dropResponseAfterHandling`). */
  status: number;
  durationMs: number;
  /** `error.code` of an error answer. */
  code?: string;
  /** Why the request was refused (also the answer's `error.innererror`, when it has one). */
  explanation?: Explanation;
  /** Set when an injected fault decided the answer. */
  fault?: string;
}

export type RequestLogListener = (entry: RequestLogEntry) => void;

const DEFAULT_CAPACITY = 500;

export class RequestLog {
  /** Entry `seq` lives at `(seq - 1) % capacity`: recording is O(1) on the request path. */
  private readonly ring: RequestLogEntry[] = [];
  private readonly listeners = new Set<RequestLogListener>();
  private seq = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  record(entry: Omit<RequestLogEntry, "seq">): RequestLogEntry {
    const full: RequestLogEntry = { seq: ++this.seq, ...entry };
    this.ring[(full.seq - 1) % this.capacity] = full;
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Entries after sequence number `after` (all kept ones by default), oldest first. */
  list(after = 0): RequestLogEntry[] {
    const entries: RequestLogEntry[] = [];
    for (let seq = Math.max(after, this.seq - this.capacity, 0) + 1; seq <= this.seq; seq++) {
      entries.push(structuredClone(this.ring[(seq - 1) % this.capacity]));
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
