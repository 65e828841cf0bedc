import {
  createHttpHeaders,
  createPipelineRequest,
  defaultRetryPolicy,
  RestError,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  type PipelineRetryOptions,
} from "@azure/core-rest-pipeline";
import { AzureLogger, setLogLevel } from "@azure/logger";
import { setLogLevel as setRuntimeLogLevel, TypeSpecRuntimeLogger } from "@typespec/ts-http-runtime";
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRetryPolicy, defaultRetryPolicyName } from "../../src/pipeline/retryPolicy.js";

// Differential tests: each scenario runs through core's defaultRetryPolicy (the oracle) and ours with
// the same scripted `next`, fake clock and Math.random; the traces must be equal.

const START = Date.UTC(2026, 0, 1, 12, 0, 0, 250);

/** One scripted answer of `next`; the last step of a script repeats. */
type Step = (request: PipelineRequest, controller: AbortController) => Promise<PipelineResponse | undefined>;

const status =
  (code: number, headers: Record<string, string> = {}): Step =>
  async (request) => ({ request, status: code, headers: createHttpHeaders(headers) });
const restError =
  (code: string | undefined, answer?: { status: number; headers?: Record<string, string> }): Step =>
  async (request) => {
    const response = answer && { request, status: answer.status, headers: createHttpHeaders(answer.headers) };
    throw new RestError("attempt failed", { code, statusCode: answer?.status, request, response });
  };
const throws =
  (make: () => unknown): Step =>
  async () => {
    throw make();
  };
const nothing: Step = async () => undefined;
/** Aborts the call's signal while `next` runs, then answers with `step`. */
const abortingThen =
  (step: Step): Step =>
  async (request, controller) => {
    controller.abort();
    return step(request, controller);
  };

interface Scenario {
  steps: Step[];
  options?: PipelineRetryOptions;
  random?: number[];
  /** Fake ms after the call starts at which the signal aborts. */
  abortAtMs?: number;
  preAborted?: boolean;
  noSignal?: boolean;
}

interface Trace {
  /** Fake ms since start at which each attempt reached `next`. */
  attempts: number[];
  /** The durations handed to setTimeout. */
  timeouts: unknown[];
  randomCalls: number;
  outcome: Record<string, unknown>;
  /** Timers still pending right after the abort (an aborted wait clears its timer). */
  pendingAfterAbort?: number;
  pendingTimers: number;
  abortListeners: number;
}

function describeOutcome(kind: "response" | "error", value: unknown, last: unknown): Record<string, unknown> {
  const same = value === last;
  if (kind === "response") return { kind, status: (value as PipelineResponse | undefined)?.status, same };
  if (!(value instanceof Error)) return { kind, value, same };
  const { name, message, code, statusCode } = value as RestError;
  return { kind, class: value.constructor.name, name, message, code, statusCode, same, ownKeys: Object.keys(value).sort(), ownMessage: Object.hasOwn(value, "message") };
}

async function trace(policy: PipelinePolicy, scenario: Scenario): Promise<Trace> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: START });
  const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
  const randoms = scenario.random ?? [0.37];
  let randomCalls = 0;
  const randomSpy = vi.spyOn(Math, "random").mockImplementation(() => randoms[randomCalls++ % randoms.length]);
  try {
    const controller = new AbortController();
    if (scenario.preAborted) controller.abort();
    const request = createPipelineRequest({ url: "https://contoso.communication.azure.com/identities", abortSignal: scenario.noSignal ? undefined : controller.signal });
    const attempts: number[] = [];
    let last: unknown;
    const next = async (sent: PipelineRequest): Promise<PipelineResponse> => {
      attempts.push(Date.now() - START);
      const step = scenario.steps[Math.min(attempts.length, scenario.steps.length) - 1];
      try {
        last = await step(sent, controller);
      } catch (error) {
        last = error;
        throw error;
      }
      return last as PipelineResponse;
    };
    let outcome: Record<string, unknown> | undefined;
    const settled = policy.sendRequest(request, next).then(
      (response) => (outcome = describeOutcome("response", response, last)),
      (error: unknown) => (outcome = describeOutcome("error", error, last)),
    );
    let pendingAfterAbort: number | undefined;
    if (scenario.abortAtMs !== undefined) {
      await vi.advanceTimersByTimeAsync(scenario.abortAtMs);
      controller.abort();
      await vi.advanceTimersByTimeAsync(0);
      pendingAfterAbort = vi.getTimerCount();
    }
    await vi.runAllTimersAsync();
    await settled;
    const timeouts = setTimeoutSpy.mock.calls.map((call) => call[1]);
    return { attempts, timeouts, randomCalls, outcome: outcome!, pendingAfterAbort, pendingTimers: vi.getTimerCount(), abortListeners: getEventListeners(controller.signal, "abort").length };
  } finally {
    randomSpy.mockRestore();
    setTimeoutSpy.mockRestore();
    vi.useRealTimers();
  }
}

/** Runs the scenario through both policies and expects the same trace; returns ours for further checks. */
async function expectSameAsCore(scenario: Scenario): Promise<Trace> {
  const core = await trace(defaultRetryPolicy(scenario.options), scenario);
  const ours = await trace(createRetryPolicy(scenario.options), scenario);
  expect(ours).toEqual(core);
  return ours;
}

const FAST = { retryDelayInMs: 10, maxRetryDelayInMs: 1000 };
const ALL_STATUSES = [200, 201, 204, 301, 304, 400, 401, 403, 404, 408, 409, 412, 429, 499, 500, 501, 502, 503, 504, 505, 507, 511, 599, 600];
const MAX_RETRIES = [undefined, 0, 1, 3];
const SYSTEM_CODES = ["ETIMEDOUT", "ESOCKETTIMEDOUT", "ECONNREFUSED", "ECONNRESET", "ENOENT", "ENOTFOUND"];
const OTHER_CODES = [undefined, "REQUEST_SEND_ERROR", "PARSE_ERROR", "EPIPE", "EAI_AGAIN", "ECONNABORTED", "UND_ERR_SOCKET"];
const inSeconds = (seconds: number): string => new Date(START + seconds * 1000).toUTCString();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("createRetryPolicy", () => {
  it("has the name of core's default retry policy", () => {
    expect(createRetryPolicy().name).toBe(defaultRetryPolicy().name);
    expect(defaultRetryPolicyName).toBe("defaultRetryPolicy");
  });

  describe("statuses, with core's defaults and with maxRetries 0, 1 and 3", () => {
    const cases = ALL_STATUSES.flatMap((code) => MAX_RETRIES.map((maxRetries) => [code, maxRetries] as const));
    it.each(cases)("status %i every time, maxRetries %s", async (code, maxRetries) => {
      await expectSameAsCore({ steps: [status(code)], options: { ...FAST, maxRetries } });
    });
    it.each(ALL_STATUSES)("status %i once, then 200", async (code) => {
      await expectSameAsCore({ steps: [status(code), status(200)], options: FAST });
    });
  });

  it("retries 408 and 5xx but 501 and 505 (the oracle's facts, pinned)", async () => {
    const retried: number[] = [];
    for (const code of ALL_STATUSES) if ((await expectSameAsCore({ steps: [status(code)], options: FAST })).attempts.length > 1) retried.push(code);
    expect(retried).toEqual([408, 500, 502, 503, 504, 507, 511, 599, 600]);
  });

  describe("throttling headers", () => {
    const forms: Array<[string, Record<string, string>]> = [
      ["Retry-After seconds", { "Retry-After": "2" }],
      ["Retry-After 0", { "Retry-After": "0" }],
      ["Retry-After fractional", { "Retry-After": "1.5" }],
      ["Retry-After negative", { "Retry-After": "-1" }],
      ["Retry-After huge", { "Retry-After": "1e400" }],
      ["Retry-After blank", { "Retry-After": " " }],
      ["Retry-After future date", { "Retry-After": inSeconds(5) }],
      ["Retry-After past date", { "Retry-After": inSeconds(-5) }],
      ["Retry-After garbage", { "Retry-After": "soon" }],
      ["Retry-After empty", { "Retry-After": "" }],
      ["retry-after-ms", { "retry-after-ms": "1500" }],
      ["retry-after-ms 0", { "retry-after-ms": "0" }],
      ["retry-after-ms negative", { "retry-after-ms": "-5" }],
      ["retry-after-ms exponent", { "retry-after-ms": "1e3" }],
      ["retry-after-ms Infinity", { "retry-after-ms": "Infinity" }],
      ["retry-after-ms Infinity before Retry-After", { "retry-after-ms": "Infinity", "Retry-After": "3" }],
      ["retry-after-ms garbage", { "retry-after-ms": "abc" }],
      ["x-ms-retry-after-ms", { "x-ms-retry-after-ms": "250" }],
      ["retry-after-ms before Retry-After", { "retry-after-ms": "100", "Retry-After": "3" }],
      ["x-ms-retry-after-ms before Retry-After", { "x-ms-retry-after-ms": "70", "Retry-After": "3" }],
      ["retry-after-ms before x-ms-retry-after-ms", { "retry-after-ms": "40", "x-ms-retry-after-ms": "70" }],
      ["garbage retry-after-ms, then Retry-After", { "retry-after-ms": "abc", "Retry-After": "3" }],
      ["garbage retry-after-ms, then a Retry-After date", { "retry-after-ms": "abc", "Retry-After": inSeconds(2) }],
      ["a date in retry-after-ms only", { "retry-after-ms": inSeconds(2) }],
    ];
    const cases = [429, 503, 500, 408, 400].flatMap((code) => forms.map(([label, headers]) => [code, label, headers] as const));
    it.each(cases)("%i with %s, once then 200", async (code, _label, headers) => {
      await expectSameAsCore({ steps: [status(code, headers), status(200)], options: FAST });
    });
    it.each(cases)("%i with %s every time, maxRetries 1", async (code, _label, headers) => {
      await expectSameAsCore({ steps: [status(code, headers)], options: { ...FAST, maxRetries: 1 } });
    });
    it.each(forms)("429 with %s carried by a RestError, once then 200", async (_label, headers) => {
      await expectSameAsCore({ steps: [restError(undefined, { status: 429, headers }), status(200)], options: FAST });
    });

    it.each([429, 503])("%i whose headers cannot be read counts as no throttling header", async (code) => {
      const unreadable: Step = async (request) => ({ request, status: code, headers: undefined as unknown as PipelineResponse["headers"] });
      await expectSameAsCore({ steps: [unreadable, status(200)], options: FAST });
    });

    it("waits exactly what the header says, counts each wait against maxRetries, ignores the exponential options", async () => {
      const ours = await expectSameAsCore({
        steps: [status(429, { "Retry-After": "2" }), status(503, { "retry-after-ms": "1500" }), status(429, { "Retry-After": inSeconds(10) }), status(429, { "Retry-After": "1" })],
        options: { retryDelayInMs: 1, maxRetryDelayInMs: 1 },
      });
      // The date has whole seconds: START + 10 s is 12:00:10.250, sent as 12:00:10, reached 3.5 s in.
      expect(ours.timeouts).toEqual([2000, 1500, 6250]);
      expect(ours.attempts).toEqual([0, 2000, 3500, 9750]);
      expect(ours.outcome).toEqual({ kind: "response", status: 429, same: true });
      expect(ours.randomCalls).toBe(0);
    });
  });

  describe("errors", () => {
    const codes = [...SYSTEM_CODES, ...OTHER_CODES];
    const cases = codes.flatMap((code) => MAX_RETRIES.map((maxRetries) => [code, maxRetries] as const));
    it.each(cases)("RestError code %s without a response every time, maxRetries %s", async (code, maxRetries) => {
      await expectSameAsCore({ steps: [restError(code)], options: { ...FAST, maxRetries } });
    });
    it.each(codes)("RestError code %s without a response once, then 201", async (code) => {
      await expectSameAsCore({ steps: [restError(code), status(201)], options: FAST });
    });
    it.each([
      ["ECONNRESET", 400],
      ["ECONNRESET", 503],
      [undefined, 503],
      [undefined, 500],
      [undefined, 501],
      [undefined, 404],
      ["REQUEST_SEND_ERROR", 502],
    ] as const)("RestError code %s carrying a %i response, once then 200", async (code, answer) => {
      await expectSameAsCore({ steps: [restError(code, { status: answer }), status(200)], options: FAST });
    });

    it("retries only the six network codes when no response came (the oracle's facts, pinned)", async () => {
      const retried: Array<string | undefined> = [];
      for (const code of codes) if ((await expectSameAsCore({ steps: [restError(code)], options: FAST })).attempts.length > 1) retried.push(code);
      expect(retried).toEqual(SYSTEM_CODES);
    });

    it.each([
      ["a plain Error with a network code", () => Object.assign(new Error("reset"), { code: "ECONNRESET" })],
      ["an AbortError", () => Object.assign(new Error("The operation was aborted."), { name: "AbortError" })],
      ["a TypeError", () => new TypeError("bug")],
      ["a string", () => "thrown text"],
      ["undefined", () => undefined],
      ["an object named RestError with a network code", () => ({ name: "RestError", message: "m", code: "ECONNRESET" })],
      ["an array named RestError", () => Object.assign([], { name: "RestError", message: "m", code: "ECONNRESET" })],
      ["an Error named RestError with a network code", () => Object.assign(new Error("m"), { name: "RestError", code: "ECONNRESET" })],
    ])("%s, once then 200", async (_label, make) => {
      await expectSameAsCore({ steps: [throws(make), status(200)], options: FAST });
    });

    it("throws the last error itself after the last retry", async () => {
      const ours = await expectSameAsCore({ steps: [restError("ECONNRESET")], options: { ...FAST, maxRetries: 2 } });
      expect(ours.attempts).toHaveLength(3);
      expect(ours.outcome).toMatchObject({ kind: "error", name: "RestError", code: "ECONNRESET", same: true });
    });

    it("returns the last response itself after the last retry", async () => {
      const ours = await expectSameAsCore({ steps: [status(503)], options: FAST });
      expect(ours.attempts).toHaveLength(4);
      expect(ours.outcome).toEqual({ kind: "response", status: 503, same: true });
    });

    it.each(MAX_RETRIES)("a next that resolves nothing, maxRetries %s", async (maxRetries) => {
      const ours = await expectSameAsCore({ steps: [nothing], options: { ...FAST, maxRetries } });
      expect(ours.outcome).toMatchObject({ kind: "error", message: "Maximum retries reached with no response or error to throw" });
    });

    it("a next that resolves nothing with a NaN delay: attempts again at once until maxRetries", async () => {
      const ours = await expectSameAsCore({ steps: [nothing], options: { retryDelayInMs: Number.NaN } });
      expect(ours.attempts).toEqual([0, 0, 0, 0]);
      expect(ours.timeouts).toEqual([]);
      await expectSameAsCore({ steps: [nothing, status(200)], options: { retryDelayInMs: Number.NaN } });
    });

    it("mixed failures then success", async () => {
      await expectSameAsCore({
        steps: [restError("ECONNRESET"), status(503), status(429, { "Retry-After": "1" }), restError(undefined, { status: 500 }), status(201)],
        options: { ...FAST, maxRetries: 5 },
      });
    });
  });

  describe("exponential delays", () => {
    const optionSets: PipelineRetryOptions[] = [
      {},
      { retryDelayInMs: 300, maxRetryDelayInMs: 10_000 },
      { retryDelayInMs: 5000, maxRetryDelayInMs: 100 },
      { retryDelayInMs: 0 },
      { retryDelayInMs: 1, maxRetryDelayInMs: 2 },
      { retryDelayInMs: 3, maxRetryDelayInMs: 7 },
      { maxRetryDelayInMs: 0 },
      { retryDelayInMs: 1000, maxRetryDelayInMs: 64_000, maxRetries: 8 },
      { retryDelayInMs: -100 },
      { retryDelayInMs: Number.NaN },
      { retryDelayInMs: undefined, maxRetryDelayInMs: undefined, maxRetries: undefined },
    ];
    const randoms = [[0], [0.37], [0.999999], [0.1, 0.9, 0.5, 0.0001]];
    const cases = optionSets.flatMap((options) => randoms.map((random) => [JSON.stringify(options), random, options] as const));
    it.each(cases)("options %s, Math.random %j", async (_label, random, options) => {
      await expectSameAsCore({ steps: [status(500)], options, random });
      await expectSameAsCore({ steps: [restError("ETIMEDOUT")], options, random });
    });

    it("uses retryDelayInMs × 2^retry capped at maxRetryDelayInMs, half fixed and half jitter (the oracle's facts, pinned)", async () => {
      const ours = await expectSameAsCore({ steps: [status(502)], options: { retryDelayInMs: 300, maxRetryDelayInMs: 1000 }, random: [0, 0.999999, 0.5] });
      expect(ours.timeouts).toEqual([150, 600, 750]);
      expect(ours.randomCalls).toBe(3);
    });

    it("defaults to 1 s, doubling, capped at 64 s", async () => {
      const ours = await expectSameAsCore({ steps: [status(503)], options: { maxRetries: 8 }, random: [0] });
      expect(ours.timeouts).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 32_000, 32_000]);
    });
  });

  describe("abort", () => {
    it.each([
      ["a 200", status(200)],
      ["a 503", status(503)],
      ["a network error", restError("ECONNRESET")],
      ["a 400 RestError", restError(undefined, { status: 400 })],
      ["a non-RestError", throws(() => new TypeError("bug"))],
    ])("a signal aborted before the call: next still runs once, then %s", async (_label, step) => {
      await expectSameAsCore({ steps: [step], options: FAST, preAborted: true });
    });

    it.each([
      ["a 201", status(201)],
      ["a 503", status(503)],
      ["a 429 with Retry-After", status(429, { "Retry-After": "1" })],
      ["a network error", restError("ECONNRESET")],
    ])("a signal aborted while next runs, which then answers %s", async (_label, step) => {
      const ours = await expectSameAsCore({ steps: [status(503), abortingThen(step)], options: FAST });
      expect(ours.outcome).toMatchObject({ kind: "error", name: "AbortError", message: "", ownMessage: false });
    });

    it.each([0, 1, 4, 5, 6, 30])("a signal aborted %i ms into the back-off", async (abortAtMs) => {
      await expectSameAsCore({ steps: [status(503)], options: { retryDelayInMs: 10, maxRetryDelayInMs: 10 }, random: [0], abortAtMs });
    });

    it("aborted during a Retry-After wait: rejects at once with core's AbortError and leaves no timer or listener", async () => {
      const ours = await expectSameAsCore({ steps: [status(429, { "Retry-After": "60" })], options: FAST, abortAtMs: 1000 });
      expect(ours.attempts).toEqual([0]);
      expect(ours.outcome).toMatchObject({ kind: "error", name: "AbortError", message: "The operation was aborted.", same: false });
      expect(ours.pendingAfterAbort).toBe(0);
      expect(ours.abortListeners).toBe(0);
    });

    it("leaves no abort listener after waits that ran to the end", async () => {
      const ours = await expectSameAsCore({ steps: [status(503), status(429, { "retry-after-ms": "5" }), status(200)], options: FAST });
      expect(ours.attempts).toHaveLength(3);
      expect(ours.abortListeners).toBe(0);
    });

    it("without a signal", async () => {
      await expectSameAsCore({ steps: [status(503), restError("ECONNREFUSED"), status(200)], options: FAST, noSignal: true });
    });
  });

  describe("logging", () => {
    afterEach(() => {
      setLogLevel();
      setRuntimeLogLevel();
    });

    async function linesWritten(make: () => PipelinePolicy): Promise<{ azure: string[]; runtime: string[] }> {
      const azure: string[] = [];
      const runtime: string[] = [];
      const azureLog = vi.spyOn(AzureLogger, "log").mockImplementation((...args: unknown[]) => void azure.push(args.map(String).join(" ")));
      const runtimeLog = vi.spyOn(TypeSpecRuntimeLogger, "log").mockImplementation((...args: unknown[]) => void runtime.push(args.map(String).join(" ")));
      try {
        await trace(make(), { steps: [status(503), restError("ECONNRESET"), status(429, { "Retry-After": "1" }), status(200)], options: FAST });
      } finally {
        azureLog.mockRestore();
        runtimeLog.mockRestore();
      }
      return { azure, runtime };
    }

    it("AZURE_LOG_LEVEL (setLogLevel of @azure/logger) shows no retry lines, from core's policy or ours", async () => {
      setLogLevel("verbose");
      expect(await linesWritten(() => defaultRetryPolicy(FAST))).toEqual({ azure: [], runtime: [] });
      expect(await linesWritten(() => createRetryPolicy(FAST))).toEqual({ azure: [], runtime: [] });
    });

    it("differs from core only under TYPESPEC_RUNTIME_LOG_LEVEL: core writes typeSpecRuntime lines there, ours none", async () => {
      setRuntimeLogLevel("info");
      const core = await linesWritten(() => defaultRetryPolicy(FAST));
      expect(core.runtime.some((line) => line.startsWith("typeSpecRuntime:ts-http-runtime retryPolicy:info Retry 0"))).toBe(true);
      expect(await linesWritten(() => createRetryPolicy(FAST))).toEqual({ azure: [], runtime: [] });
    });
  });
});
