import { CommunicationIdentityClient as OfficialClient } from "@azure/communication-identity";
import { inspect } from "node:util";
import {
  createHttpHeaders,
  createPipelineRequest,
  decompressResponsePolicy,
  logPolicy,
  proxyPolicy,
  redirectPolicy,
  RestError,
  setClientRequestIdPolicy,
  userAgentPolicy,
  type HttpHeaders,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineRequestOptions,
  type PipelineResponse,
  type RawHttpHeadersInput,
} from "@azure/core-rest-pipeline";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { createHeaders, createRequest } from "../../src/pipeline/pipelineRequest.js";
import { CONNECTION_STRING, createFakeHttpClient, serviceAnswer } from "../client/fakeHttpClient.js";

// Differential specs: every check builds the same thing with core's functions and ours and compares
// what a policy, a logger or a user can observe.

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Factory = { headers: (raw?: RawHttpHeadersInput) => HttpHeaders; request: (options: PipelineRequestOptions) => PipelineRequest };
const core: Factory = { headers: createHttpHeaders, request: createPipelineRequest };
const ours: Factory = { headers: createHeaders, request: createRequest };

/** Everything readable from a header collection without knowing its class. */
function observeHeaders(headers: HttpHeaders): unknown {
  const iterator = headers[Symbol.iterator]();
  return {
    lowercased: headers.toJSON(),
    preserved: headers.toJSON({ preserveCase: true }),
    emptyOptions: headers.toJSON({}),
    entries: [...headers],
    string: headers.toString(),
    templated: `${String(headers)}`,
    stringified: JSON.stringify(headers),
    nested: JSON.stringify({ headers }),
    keys: Object.keys(headers),
    ownNames: Object.getOwnPropertyNames(headers),
    inspected: inspect(headers, { depth: 6 }),
    iteratorTag: Object.prototype.toString.call(iterator),
    iteratorIsIterable: (iterator as unknown as Iterable<unknown>)[Symbol.iterator]() === iterator,
  };
}

/** What `fn` returns, or the class and message of what it throws. */
function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (error) {
    return { threw: (error as Error).constructor.name, message: (error as Error).message };
  }
}

// Names that collide by case, that toLowerCase changes in length (İ), that Object.prototype owns, and arbitrary text.
const headerName = fc.oneof(
  fc.constantFrom("Accept", "accept", "ACCEPT", "Content-Type", "content-type", "x-ms-date", "X-MS-Date", "İ", "i̇", "ß", "K", "k", "__proto__", "constructor", "toString", ""),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
);
// Values with the whitespace and line breaks core trims and strips, and the numbers and booleans set() takes.
const headerValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 16 }),
  fc.array(fc.constantFrom(" ", "\t", "\r", "\n", "\r\n", "\u00a0", "\ufeff", "\u2028", "\v", "a", "b c"), { maxLength: 8 }).map((parts) => parts.join("")),
  fc.integer(),
  fc.double(),
  fc.boolean(),
);
const caseVariants = (name: string): string[] => [name, name.toLowerCase(), name.toUpperCase()];

type Step = { op: "set"; name: string; value: string | number | boolean } | { op: "delete" | "get" | "has"; name: string };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("set" as const), name: headerName, value: headerValue }) },
  fc.record({ op: fc.constantFrom("delete" as const, "get" as const, "has" as const), name: headerName }),
);

function run(headers: HttpHeaders, steps: Step[]): unknown[] {
  const seen: unknown[] = [];
  for (const s of steps) {
    if (s.op === "set") seen.push(outcome(() => headers.set(s.name, s.value)));
    else if (s.op === "delete") seen.push(outcome(() => headers.delete(s.name)));
    for (const name of caseVariants(s.name)) seen.push(outcome(() => headers.get(name)), outcome(() => headers.has(name)));
  }
  return seen;
}

describe("createHeaders", () => {
  it("answers every read like core's after any sequence of set, delete, get and has", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const theirs = core.headers();
        const mine = ours.headers();
        expect(run(mine, steps)).toEqual(run(theirs, steps));
        expect(observeHeaders(mine)).toEqual(observeHeaders(theirs));
      }),
      { numRuns: 500 },
    );
  });

  it("builds from a raw object like core's, whatever its keys and values", () => {
    fc.assert(
      fc.property(fc.dictionary(headerName, headerValue, { maxKeys: 12 }), (raw) => {
        expect(observeHeaders(ours.headers(raw))).toEqual(observeHeaders(core.headers(raw)));
      }),
      { numRuns: 300 },
    );
    // Integer-like keys come first in Object.keys; a JSON `__proto__` is an own key; falsy input means empty.
    for (const raw of [{ b: 1, 2: "two", a: true, 1: "one" }, JSON.parse('{"__proto__":"p","x":"y"}') as RawHttpHeadersInput, undefined, null, {}]) {
      expect(observeHeaders(ours.headers(raw as RawHttpHeadersInput))).toEqual(observeHeaders(core.headers(raw as RawHttpHeadersInput)));
    }
  });

  it("keeps the first position and the last-set case of a name, and lowercases it in toJSON()", () => {
    for (const factory of [core, ours]) {
      const headers = factory.headers({ "Content-Type": "a", Accept: "b" });
      headers.set("content-TYPE", " c ");
      expect(headers.toJSON({ preserveCase: true })).toEqual({ "content-TYPE": "c", Accept: "b" });
      expect(headers.toJSON()).toEqual({ "content-type": "c", accept: "b" });
      expect([...headers]).toEqual([
        ["content-TYPE", "c"],
        ["Accept", "b"],
      ]);
    }
  });

  it("stringifies values, trims them and strips CR and LF, as core does", () => {
    for (const factory of [core, ours]) {
      const headers = factory.headers();
      headers.set("n", 42);
      headers.set("b", false);
      headers.set("folded", "  one\r\n two\nthree\r  ");
      expect(headers.toJSON()).toEqual({ n: "42", b: "false", folded: "one twothree" });
    }
  });

  it("iterates lazily over the live collection, as core's generator does", () => {
    const walk = (headers: HttpHeaders): unknown[] => {
      const seen: unknown[] = [];
      const iterator = headers[Symbol.iterator]();
      seen.push(iterator.next());
      headers.set("late", "1");
      headers.delete("b");
      for (let next = iterator.next(); !next.done; next = iterator.next()) seen.push(next);
      seen.push(iterator.next(), outcome(() => iterator.return?.(undefined)));
      return seen;
    };
    expect(walk(ours.headers({ a: "1", b: "2", c: "3" }))).toEqual(walk(core.headers({ a: "1", b: "2", c: "3" })));
  });

  it("throws where core throws: a name that is not a string, toJSON(null)", () => {
    for (const call of [
      (h: HttpHeaders) => h.get(undefined as unknown as string),
      (h: HttpHeaders) => h.has(1 as unknown as string),
      (h: HttpHeaders) => h.set(null as unknown as string, "x"),
      (h: HttpHeaders) => h.delete({} as string),
      (h: HttpHeaders) => h.toJSON(null as unknown as object),
      (h: HttpHeaders) => h.set("s", Symbol("v") as unknown as string),
    ]) {
      expect(outcome(() => call(ours.headers({ a: "1" })))).toEqual(outcome(() => call(core.headers({ a: "1" }))));
    }
  });

  it("has core's methods and no others", () => {
    const methods = (headers: HttpHeaders): unknown => Reflect.ownKeys(Object.getPrototypeOf(headers) as object).map(String).sort();
    expect(methods(ours.headers())).toEqual(methods(core.headers()));
  });
});

const everyOption = (): PipelineRequestOptions & Record<string, unknown> => ({
  url: "https://contoso.communication.azure.com/identities?api-version=2026-09-23&sig=secret",
  method: "POST",
  headers: createHeaders({ Accept: "application/json", Authorization: "HMAC-SHA256 secret" }),
  timeout: 5000,
  withCredentials: true,
  requestId: "req-1",
  body: '{"customId":"x"}',
  multipartBody: { parts: [] },
  formData: { field: "value" },
  streamResponseStatusCodes: new Set([200]),
  agent: { maxFreeSockets: 1, maxSockets: 2, requests: {}, sockets: {}, destroy() {} },
  enableBrowserStreams: true,
  tlsSettings: { ca: "pem" },
  proxySettings: { host: "http://proxy", port: 8080, username: "u", password: "p" },
  disableKeepAlive: true,
  abortSignal: new AbortController().signal,
  tracingOptions: { tracingContext: undefined },
  onUploadProgress: () => {},
  onDownloadProgress: () => {},
  allowInsecureConnection: true,
  requestOverrides: { cache: "no-store" },
  authSchemes: [{ kind: "http", scheme: "bearer" }],
});

/** Own keys in order, each value by identity (headers by what they hold), and the property descriptors' flags. */
function observeRequest(request: PipelineRequest): unknown {
  return Object.entries(Object.getOwnPropertyDescriptors(request)).map(([key, { value, ...flags }]) => [
    key,
    // `headers: false` stays false (`??`), as in core.
    key === "headers" && typeof value === "object" && value !== null ? observeHeaders(value as HttpHeaders) : value,
    flags,
  ]);
}

describe("createRequest", () => {
  it("has core's own properties in core's order, taking every option core takes and dropping the rest", () => {
    const options = everyOption();
    const mine = ours.request(options);
    const theirs = core.request(options);
    expect(observeRequest(mine)).toEqual(observeRequest(theirs));
    for (const key of Object.keys(theirs)) expect(Object.is(mine[key as keyof PipelineRequest], theirs[key as keyof PipelineRequest])).toBe(true);
    // As core 1.24 (ts-http-runtime 0.3): these options are not copied onto the request.
    expect(Object.keys(mine)).not.toContain("tracingOptions");
    expect(Object.keys(mine)).not.toContain("agent");
    expect(Object.keys(mine)).not.toContain("tlsSettings");
  });

  it("fills core's defaults, with a fresh v4 UUID as requestId and an empty header collection", () => {
    const mine = ours.request({ url: "https://example.com" });
    const theirs = core.request({ url: "https://example.com" });
    const { requestId, ...rest } = mine;
    const { requestId: coreRequestId, ...coreRest } = theirs;
    expect(requestId).toMatch(UUID_V4);
    expect(coreRequestId).toMatch(UUID_V4);
    expect(observeRequest(rest as PipelineRequest)).toEqual(observeRequest(coreRest as PipelineRequest));
    expect(ours.request({ url: "u" }).requestId).not.toBe(requestId);
    expect(mine.headers).not.toBe(ours.request({ url: "u" }).headers);
  });

  it("treats null, empty and falsy options as core does (?? for defaults, || for requestId)", () => {
    const falsy = fc.constantFrom(undefined, null, 0, "", false, Number.NaN);
    const keys = ["method", "headers", "timeout", "withCredentials", "requestId", "body", "disableKeepAlive", "enableBrowserStreams", "allowInsecureConnection", "abortSignal", "requestOverrides"];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), falsy), (picked) => {
        const options = { url: "https://example.com", ...picked } as unknown as PipelineRequestOptions;
        const mine = ours.request(options);
        const theirs = core.request(options);
        const generated = !options.requestId;
        if (generated) expect(mine.requestId).toMatch(UUID_V4);
        const strip = (request: PipelineRequest): PipelineRequest => (generated ? { ...request, requestId: "generated" } : request);
        expect(observeRequest(strip(mine))).toEqual(observeRequest(strip(theirs)));
      }),
      { numRuns: 300 },
    );
  });

  it("serializes, inspects and spreads like core's (core's prints its class name first)", () => {
    const options = everyOption();
    const mine = ours.request(options);
    const theirs = core.request(options);
    expect(JSON.stringify(mine)).toBe(JSON.stringify(theirs));
    expect({ ...mine }).toEqual({ ...theirs });
    expect(inspect(mine, { depth: 6 })).toBe(inspect(theirs, { depth: 6 }).replace(/^PipelineRequestImpl /, ""));
  });

  it("gives RestError's sanitized inspect output identical to core's request and headers", () => {
    const error = (factory: Factory): string => {
      const options = { ...everyOption(), headers: factory.headers({ Accept: "application/json", Authorization: "secret", "x-ms-client-request-id": "id" }) };
      const request = factory.request(options);
      const response: PipelineResponse = { request, status: 401, headers: factory.headers({ "WWW-Authenticate": "Bearer", "Set-Cookie": "secret" }), bodyAsText: "no" };
      const restError = new RestError("denied", { code: "Unauthorized", statusCode: 401, request, response });
      return (restError as unknown as Record<symbol, () => string>)[inspect.custom]();
    };
    const printed = error(ours);
    expect(printed).toBe(error(core));
    expect(printed).not.toContain("secret");
    expect(printed).toContain('"accept": "application/json"');
  });

  it("logs through core's logPolicy exactly the lines core's request and headers log", async () => {
    const logLines = async (factory: Factory): Promise<string[]> => {
      const lines: string[] = [];
      const logger = Object.assign((...args: unknown[]) => lines.push(args.join(" ")), { enabled: true });
      const policy = logPolicy({ logger: logger as never, additionalAllowedHeaderNames: ["MS-CV"] });
      const request = factory.request({ ...everyOption(), headers: factory.headers({ Accept: "a", "MS-CV": "cv", "x-ms-date": "d", authorization: "secret" }) });
      await policy.sendRequest(request, async (sent) => ({ request: sent, status: 201, headers: factory.headers({ "Content-Type": "application/json", "MS-CV": "cv", "Set-Cookie": "secret" }) }));
      return lines;
    };
    const lines = await logLines(ours);
    expect(lines).toEqual(await logLines(core));
    expect(lines[0]).toContain('"authorization": "REDACTED"');
    expect(lines[0]).toContain('"ms-cv": "cv"');
    // Core hands response headers to its sanitizer as the root object, which it does not redact: ours log the same.
    expect(lines[2]).toContain('"set-cookie": "secret"');
  });

  it("comes out of core's policies (user agent, request id, decompression, proxy, redirects) as core's does", async () => {
    const policies: PipelinePolicy[] = [
      userAgentPolicy({ userAgentPrefix: "test-prefix" }),
      setClientRequestIdPolicy(),
      decompressResponsePolicy(),
      proxyPolicy({ host: "http://127.0.0.1", port: 9 }),
      redirectPolicy(),
    ];
    // Each attempt as the transport sees it; the first answers 303, so the redirect turns POST into a bodiless GET.
    const send = async (factory: Factory): Promise<unknown[]> => {
      const seen: unknown[] = [];
      const transport = async (request: PipelineRequest): Promise<PipelineResponse> => {
        const { agent, headers, ...rest } = request;
        seen.push({ keys: Object.keys(request), rest, headers: observeHeaders(headers), agent: agent?.constructor.name });
        const location: RawHttpHeadersInput = seen.length === 1 ? { location: "/moved?x=1" } : {};
        return { request, status: seen.length === 1 ? 303 : 200, headers: factory.headers(location) };
      };
      const chain = policies.reduceRight<(request: PipelineRequest) => Promise<PipelineResponse>>((next, policy) => (request) => policy.sendRequest(request, next), transport);
      const request = factory.request({ url: "https://example.com/a", method: "POST", body: "{}", requestId: "req-1", headers: factory.headers({ Authorization: "x", "Content-Length": 2 }) });
      await chain(request);
      return seen;
    };
    const attempts = await send(ours);
    expect(attempts).toEqual(await send(core));
    expect(attempts).toHaveLength(2);
  });

  it("is what the client hands to a user's additionalPolicies: the official client's request properties, in its order", async () => {
    const keysSeenBy = async (Client: typeof CommunicationIdentityClient | typeof OfficialClient) => {
      const keys: string[][] = [];
      const spy: PipelinePolicy = { name: "spy", sendRequest: (request, next) => (keys.push(Object.keys(request)), next(request)) };
      const client = new Client(CONNECTION_STRING, {
        httpClient: createFakeHttpClient(serviceAnswer),
        additionalPolicies: [{ policy: spy, position: "perCall" }],
      });
      await client.createUser();
      return keys;
    };
    const official = await keysSeenBy(OfficialClient);
    // core's own properties, then the call's tracingOptions, which core-client sets on the request.
    expect(official).toEqual([[...Object.keys(createPipelineRequest({ url: "https://example.com" })), "tracingOptions"]]);
    expect(await keysSeenBy(CommunicationIdentityClient)).toEqual(official);
  });

  it("allows an insecure connection when the client or the call allows it, as the official client (core-client) does", async () => {
    const settings = [undefined, false, true];
    const allowedSeenBy = async (Client: typeof CommunicationIdentityClient | typeof OfficialClient) => {
      const seen: unknown[] = [];
      const spy: PipelinePolicy = { name: "spy", sendRequest: (request, next) => (seen.push(request.allowInsecureConnection), next(request)) };
      for (const client of settings) {
        const identity = new Client(CONNECTION_STRING, {
          httpClient: createFakeHttpClient(serviceAnswer),
          additionalPolicies: [{ policy: spy, position: "perCall" }],
          allowInsecureConnection: client,
        });
        for (const call of settings) await identity.createUser({ requestOptions: { allowInsecureConnection: call } });
      }
      return seen;
    };
    const official = await allowedSeenBy(OfficialClient);
    expect(official).toEqual([false, false, true, false, false, true, true, true, true]);
    expect(await allowedSeenBy(CommunicationIdentityClient)).toEqual(official);
  });
});
