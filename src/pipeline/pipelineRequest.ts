// The same UUID source as core: crypto.randomUUID, or Math.random on pages without it.
import { randomUUID } from "@azure/core-util";
import type { HttpHeaders, PipelineRequest, PipelineRequestOptions, RawHttpHeaders, RawHttpHeadersInput } from "@azure/core-rest-pipeline";

// Core-rest-pipeline's `createPipelineRequest` and `createHttpHeaders` as policies and loggers see them
// (same own properties, defaults and header rules), in less bundle and optimized code. Pinned against
// core by test/pipeline/pipelineRequest.spec.ts.

interface HeaderEntry {
  name: string;
  value: string;
}

// Core's class name and sole own property, so util.inspect prints the same; keyed by the lowercased name.
class HttpHeadersImpl implements HttpHeaders {
  declare _headersMap: Map<string, HeaderEntry>;

  constructor(rawHeaders?: RawHttpHeadersInput) {
    this._headersMap = new Map();
    if (rawHeaders) for (const name of Object.keys(rawHeaders)) this.set(name, rawHeaders[name]);
  }

  set(name: string, value: string | number | boolean): void {
    // As core: trimmed, and CR/LF removed so a value cannot fold onto a second line.
    this._headersMap.set(name.toLowerCase(), { name, value: String(value).trim().replace(/[\r\n]/g, "") });
  }

  get(name: string): string | undefined {
    return this._headersMap.get(name.toLowerCase())?.value;
  }

  has(name: string): boolean {
    return this._headersMap.has(name.toLowerCase());
  }

  delete(name: string): void {
    this._headersMap.delete(name.toLowerCase());
  }

  /** Lowercased names unless `preserveCase`; JSON.stringify passes a string key here, which means lowercased. */
  toJSON(options: { preserveCase?: boolean } = {}): RawHttpHeaders {
    const preserveCase = options.preserveCase;
    const result: RawHttpHeaders = {};
    for (const [key, entry] of this._headersMap) result[preserveCase ? entry.name : key] = entry.value;
    return result;
  }

  toString(): string {
    return JSON.stringify(this.toJSON({ preserveCase: true }));
  }

  *[Symbol.iterator](): Generator<[string, string]> {
    for (const entry of this._headersMap.values()) yield [entry.name, entry.value];
  }
}

/** A case-insensitive header collection that keeps each name's last-set case, like core's `createHttpHeaders`. */
export function createHeaders(rawHeaders?: RawHttpHeadersInput): HttpHeaders {
  return new HttpHeadersImpl(rawHeaders);
}

// Core's request carries its runtime's per-request auth schemes (absent from core-rest-pipeline's types).
interface WithAuthSchemes {
  authSchemes?: unknown;
}

/**
 * A request with core's defaults: GET, no timeout, no credentials, a fresh UUID as `requestId` unless one is given.
 * Core's own properties in core's order (JSON.stringify and the log sanitizer follow it); like core, it
 * does not take `tracingOptions`, `agent` or `tlsSettings` from the options.
 */
export function createRequest(options: PipelineRequestOptions & WithAuthSchemes): PipelineRequest {
  // A literal, not a class: V8 builds it from one boilerplate, in less optimized code than a constructor.
  const request: PipelineRequest & WithAuthSchemes = {
    url: options.url,
    method: options.method ?? "GET",
    headers: options.headers ?? new HttpHeadersImpl(),
    timeout: options.timeout ?? 0,
    withCredentials: options.withCredentials ?? false,
    body: options.body,
    multipartBody: options.multipartBody,
    formData: options.formData,
    streamResponseStatusCodes: options.streamResponseStatusCodes,
    enableBrowserStreams: options.enableBrowserStreams ?? false,
    proxySettings: options.proxySettings,
    disableKeepAlive: options.disableKeepAlive ?? false,
    abortSignal: options.abortSignal,
    requestId: options.requestId || randomUUID(),
    allowInsecureConnection: options.allowInsecureConnection ?? false,
    onUploadProgress: options.onUploadProgress,
    onDownloadProgress: options.onDownloadProgress,
    requestOverrides: options.requestOverrides,
    authSchemes: options.authSchemes,
  };
  return request;
}
