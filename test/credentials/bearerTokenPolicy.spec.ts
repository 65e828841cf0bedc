/**
 * Our bearer policy against core-rest-pipeline's `bearerTokenAuthenticationPolicy`: the same fake
 * credential, the same fake `next` and the same fake clock drive both, and the traces (getToken calls
 * with their options, the Authorization header of every attempt, every request's outcome) must be equal.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  bearerTokenAuthenticationPolicyName,
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bearerTokenPolicyName, createBearerTokenPolicy } from "../../src/credentials/bearerTokenPolicy.js";
import { communicationScope, createAuthPolicy } from "../../src/credentials/createAuthPolicy.js";
import { CommunicationIdentityClient } from "../../src/index.js";
import { logger } from "../../src/logger.js";
import { createFakeHttpClient, serviceAnswer } from "../client/fakeHttpClient.js";

const T0 = Date.UTC(2026, 0, 1);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const URL_HTTPS = "https://contoso.communication.azure.com/identities?api-version=2026-09-23";
/** Every token in the test data starts with this; no error message may contain it. */
const TOKEN_PREFIX = "entra-token-";
const CLAIMS_JSON = '{"access_token":{"nbf":{"essential":true,"value":"1726258122"}}}';
const CLAIMS = btoa(CLAIMS_JSON);
const caeHeader = (claims = CLAIMS) =>
  `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${claims}"`;

/** What the fake credential does on one call (`after`: ms on the fake clock before it settles). */
type TokenStep =
  | { token: number; expiresIn: number; refreshAfterIn?: number; refreshAfterAt?: number; tokenType?: "Bearer" | "pop"; after?: number }
  | { fail: string; after?: number }
  | { throwSync: string }
  | { nothing: true; after?: number };

/** What the fake `next` does on one attempt. */
type Answer = { status: number; challenge?: string } | { restError: number; challenge?: string } | { throws: string };

type Action = { send: string; url?: string; abortable?: boolean } | { advance: number } | { abort: string };

interface Scenario {
  /** The credential's behaviour on call n (0-based) at fake time `at` (ms since start); default: a 1 h token. */
  tokens?: TokenStep[] | ((n: number, at: number) => TokenStep | undefined);
  answers?: Answer[];
  actions: Action[];
  /** Checked on core's trace, so a scenario proves it exercises what it claims. */
  check?: (trace: TraceEvent[]) => void;
}

type TraceEvent =
  | { getToken: number; at: number; scopes: unknown; options: Record<string, unknown> }
  | { next: string; at: number; authorization: string | undefined }
  | { settled: string; at: number; status?: number; error?: Record<string, unknown> };

const tokenValue = (n: number) => `${TOKEN_PREFIX}${n}`;
const abortError = () => Object.assign(new Error("The operation was aborted."), { name: "AbortError" });

class FakeCredential implements TokenCredential {
  calls = 0;
  constructor(
    private readonly trace: TraceEvent[],
    private readonly labels: Map<unknown, string>,
    private readonly script: Scenario["tokens"],
  ) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const n = this.calls++;
    const at = Date.now() - T0;
    const recorded: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options ?? {})) recorded[key] = typeof value === "object" && value !== null ? (this.labels.get(value) ?? "unknown object") : value;
    this.trace.push({ getToken: n, at, scopes: structuredClone(scopes), options: recorded });
    const step = (typeof this.script === "function" ? this.script(n, at) : this.script?.[n]) ?? { token: n + 1, expiresIn: 60 * MINUTE };
    if ("throwSync" in step) throw new Error(step.throwSync);
    const settle = (): AccessToken | null => {
      if ("fail" in step) throw new Error(step.fail);
      if ("nothing" in step) return null;
      const now = Date.now();
      const token: AccessToken = { token: tokenValue(step.token), expiresOnTimestamp: now + step.expiresIn };
      if (step.refreshAfterIn !== undefined) token.refreshAfterTimestamp = now + step.refreshAfterIn;
      if (step.refreshAfterAt !== undefined) token.refreshAfterTimestamp = step.refreshAfterAt;
      if (step.tokenType) token.tokenType = step.tokenType;
      return token;
    };
    const after = step.after ?? 0;
    if (after === 0) return (async () => settle())();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        try {
          resolve(settle());
        } catch (error) {
          reject(error);
        }
      }, after);
      options?.abortSignal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(abortError());
      });
    });
  }
}

function describeError(error: unknown): Record<string, unknown> {
  const e = error as RestError;
  return { class: e?.constructor?.name, name: e?.name, message: e?.message, statusCode: e?.statusCode, code: e?.code };
}

/** Runs a scenario through one policy on a fresh fake clock and returns what happened, in order. */
async function run(makePolicy: (credential: TokenCredential) => PipelinePolicy, scenario: Scenario): Promise<TraceEvent[]> {
  vi.useFakeTimers({ now: T0 });
  try {
    const trace: TraceEvent[] = [];
    const labels = new Map<unknown, string>();
    const credential = new FakeCredential(trace, labels, scenario.tokens);
    const policy = makePolicy(credential);
    const answers = [...(scenario.answers ?? [])];
    const controllers = new Map<string, AbortController>();
    const outcomes: Array<Promise<void>> = [];
    const errors: unknown[] = [];

    const next = async (request: PipelineRequest): Promise<PipelineResponse> => {
      const label = labels.get(request) ?? "unknown request";
      trace.push({ next: label, at: Date.now() - T0, authorization: request.headers.get("authorization") });
      const answer = answers.shift() ?? { status: 200 };
      if ("throws" in answer) throw new Error(answer.throws);
      const headers = createHttpHeaders(answer.challenge === undefined ? {} : { "WWW-Authenticate": answer.challenge });
      const status = "status" in answer ? answer.status : answer.restError;
      const response: PipelineResponse = { status, headers, request, bodyAsText: "" };
      if ("restError" in answer) throw new RestError(`status ${status}`, { statusCode: status, response });
      return response;
    };

    for (const action of scenario.actions) {
      if ("advance" in action) {
        await vi.advanceTimersByTimeAsync(action.advance);
      } else if ("abort" in action) {
        controllers.get(action.abort)!.abort();
        await vi.advanceTimersByTimeAsync(0);
      } else {
        const label = action.send;
        const controller = action.abortable ? new AbortController() : undefined;
        if (controller) controllers.set(label, controller);
        const tracingOptions = {};
        const request = createPipelineRequest({ url: action.url ?? URL_HTTPS, abortSignal: controller?.signal });
        // createPipelineRequest does not keep tracingOptions; core-client sets them on the request like this.
        request.tracingOptions = tracingOptions;
        labels.set(request, label);
        if (controller) labels.set(controller.signal, `signal:${label}`);
        labels.set(tracingOptions, `tracing:${label}`);
        outcomes.push(
          policy.sendRequest(request, next).then(
            (response) => void trace.push({ settled: label, at: Date.now() - T0, status: response.status }),
            (error: unknown) => {
              errors.push(error);
              trace.push({ settled: label, at: Date.now() - T0, error: describeError(error) });
            },
          ),
        );
        await vi.advanceTimersByTimeAsync(0);
      }
    }
    await vi.advanceTimersByTimeAsync(0);
    const sent = scenario.actions.filter((action) => "send" in action).length;
    expect(trace.filter((event) => "settled" in event), "every request settles").toHaveLength(sent);
    for (const error of errors) {
      expect(String((error as Error)?.message)).not.toContain(TOKEN_PREFIX);
      expect(String(error)).not.toContain(TOKEN_PREFIX);
    }
    return trace;
  } finally {
    vi.useRealTimers();
  }
}

const corePolicy = (credential: TokenCredential) => bearerTokenAuthenticationPolicy({ credential, scopes: communicationScope });
const ourPolicy = (credential: TokenCredential) => createBearerTokenPolicy(credential, communicationScope);

async function expectSameAsCore(scenario: Scenario): Promise<TraceEvent[]> {
  const core = await run(corePolicy, scenario);
  scenario.check?.(core);
  const ours = await run(ourPolicy, scenario);
  expect(ours).toStrictEqual(core);
  return core;
}

const getTokens = (trace: TraceEvent[]) => trace.filter((event): event is Extract<TraceEvent, { getToken: number }> => "getToken" in event);
const attempts = (trace: TraceEvent[], label?: string) =>
  trace.filter((event): event is Extract<TraceEvent, { next: string }> => "next" in event && (label === undefined || event.next === label)).map((event) => event.authorization);
const outcome = (trace: TraceEvent[], label: string) => trace.find((event): event is Extract<TraceEvent, { settled: string }> => "settled" in event && event.settled === label);
const bearer = (n: number) => `Bearer ${tokenValue(n)}`;

const scenarios: Record<string, Scenario> = {
  "first call: one getToken with core's options, Bearer header": {
    actions: [{ send: "a", abortable: true }],
    check: (trace) => {
      expect(getTokens(trace)).toStrictEqual([
        { getToken: 0, at: 0, scopes: [communicationScope], options: { abortSignal: "signal:a", tracingOptions: "tracing:a", enableCae: true } },
      ]);
      expect(attempts(trace)).toEqual([bearer(1)]);
      expect(outcome(trace, "a")?.status).toBe(200);
    },
  },
  "a request without an abort signal still passes the abortSignal key": {
    actions: [{ send: "a" }],
    check: (trace) => expect(getTokens(trace)[0].options).toStrictEqual({ abortSignal: undefined, tracingOptions: "tracing:a", enableCae: true }),
  },
  "reuse: a valid token is not fetched again": {
    actions: [{ send: "a" }, { advance: 10 * MINUTE }, { send: "b" }, { advance: 40 * MINUTE }, { send: "c" }],
    check: (trace) => {
      expect(getTokens(trace)).toHaveLength(1);
      expect(attempts(trace)).toEqual([bearer(1), bearer(1), bearer(1)]);
    },
  },
  "within the 2 minute refresh window: background refresh, the old token is used meanwhile": {
    tokens: [{ token: 1, expiresIn: 3 * MINUTE }],
    actions: [{ send: "a" }, { advance: 59 * SECOND }, { send: "b" }, { advance: 2 * SECOND }, { send: "c" }, { advance: SECOND }, { send: "d" }],
    check: (trace) => {
      expect(getTokens(trace).map((call) => call.at)).toEqual([0, 61 * SECOND]);
      expect(attempts(trace)).toEqual([bearer(1), bearer(1), bearer(1), bearer(2)]);
    },
  },
  "within the refresh window with a slow credential: one background refresh for many requests": {
    tokens: [{ token: 1, expiresIn: 3 * MINUTE }, { token: 2, expiresIn: 60 * MINUTE, after: 5 * SECOND }],
    actions: [{ send: "a" }, { advance: 90 * SECOND }, { send: "b" }, { send: "c" }, { advance: SECOND }, { send: "d" }, { advance: 5 * SECOND }, { send: "e" }],
    check: (trace) => {
      expect(getTokens(trace)).toHaveLength(2);
      expect(attempts(trace)).toEqual([bearer(1), bearer(1), bearer(1), bearer(1), bearer(2)]);
    },
  },
  "refreshAfterTimestamp is honoured": {
    tokens: [{ token: 1, expiresIn: 60 * MINUTE, refreshAfterIn: 5 * MINUTE }],
    actions: [{ send: "a" }, { advance: 5 * MINUTE }, { send: "b" }, { advance: SECOND }, { send: "c" }, { advance: SECOND }, { send: "d" }],
    check: (trace) => {
      expect(getTokens(trace).map((call) => call.at)).toEqual([0, 5 * MINUTE + SECOND]);
      expect(attempts(trace)).toEqual([bearer(1), bearer(1), bearer(1), bearer(2)]);
    },
  },
  "refreshAfterTimestamp 0 is ignored": {
    tokens: [{ token: 1, expiresIn: 60 * MINUTE, refreshAfterAt: 0 }],
    actions: [{ send: "a" }, { advance: MINUTE }, { send: "b" }],
    check: (trace) => expect(getTokens(trace)).toHaveLength(1),
  },
  "expired: the request waits for a new token": {
    tokens: [{ token: 1, expiresIn: 10 * MINUTE }, { token: 2, expiresIn: 60 * MINUTE, after: 2 * SECOND }],
    actions: [{ send: "a" }, { advance: 11 * MINUTE }, { send: "b" }, { advance: 2 * SECOND }],
    check: (trace) => {
      expect(attempts(trace, "b")).toEqual([bearer(2)]);
      expect(trace.find((event) => "next" in event && event.next === "b")?.at).toBe(11 * MINUTE + 2 * SECOND);
    },
  },
  "inside the forced 1 s window: the request waits": {
    tokens: [{ token: 1, expiresIn: 10 * MINUTE }],
    actions: [{ send: "a" }, { advance: 10 * MINUTE - 999 }, { send: "b" }],
    check: (trace) => expect(attempts(trace, "b")).toEqual([bearer(2)]),
  },
  "just before the forced window: the old token, refreshed in the background": {
    tokens: [{ token: 1, expiresIn: 10 * MINUTE }],
    actions: [{ send: "a" }, { advance: 10 * MINUTE - 1_001 }, { send: "b" }, { advance: 1 }, { send: "c" }],
    check: (trace) => expect(attempts(trace)).toEqual([bearer(1), bearer(1), bearer(2)]),
  },
  "concurrent first requests share one getToken": {
    tokens: [{ token: 1, expiresIn: 60 * MINUTE, after: 100 }],
    actions: [{ send: "a" }, { send: "b" }, { send: "c" }, { advance: 100 }],
    check: (trace) => {
      expect(getTokens(trace)).toHaveLength(1);
      expect(attempts(trace)).toEqual([bearer(1), bearer(1), bearer(1)]);
    },
  },
  "concurrent requests on an expired token share one refresh": {
    tokens: [{ token: 1, expiresIn: 10 * MINUTE }, { token: 2, expiresIn: 60 * MINUTE, after: 100 }],
    actions: [{ send: "a" }, { advance: 11 * MINUTE }, { send: "b" }, { send: "c" }, { advance: 100 }],
    check: (trace) => {
      expect(getTokens(trace)).toHaveLength(2);
      expect(attempts(trace)).toEqual([bearer(1), bearer(2), bearer(2)]);
    },
  },
  "refresh failure while the token is valid: the old token, retried every 3 s": {
    tokens: [{ token: 1, expiresIn: 3 * MINUTE }, { fail: "credential unavailable" }, { fail: "credential unavailable" }, { token: 2, expiresIn: 60 * MINUTE }],
    actions: [
      { send: "a" },
      { advance: 90 * SECOND },
      { send: "b" },
      { advance: SECOND },
      { send: "c" },
      { advance: 2 * SECOND },
      { send: "d" },
      { advance: 3 * SECOND },
      { send: "e" },
    ],
    check: (trace) => {
      expect(getTokens(trace).map((call) => call.at)).toEqual([0, 90 * SECOND, 93 * SECOND, 96 * SECOND]);
      expect(attempts(trace)).toEqual([bearer(1), bearer(1), bearer(1), bearer(1), bearer(2)]);
      expect(trace.filter((event) => "error" in event)).toEqual([]);
    },
  },
  "refresh failure until expiry: a request that must wait gets the credential's error": {
    tokens: (n) => (n === 0 ? { token: 1, expiresIn: 3 * MINUTE } : n < 12 ? { fail: "credential unavailable" } : undefined),
    actions: [{ send: "a" }, { advance: 150 * SECOND }, { send: "b" }, { advance: 29 * SECOND + 500 }, { send: "c" }, { advance: SECOND }, { send: "d" }],
    check: (trace) => {
      expect(getTokens(trace).map((call) => call.at / SECOND)).toEqual([0, 150, 153, 156, 159, 162, 165, 168, 171, 174, 177, 180, 180.5]);
      expect(outcome(trace, "b")?.status).toBe(200);
      expect(outcome(trace, "c")?.error).toMatchObject({ class: "Error", message: "credential unavailable" });
      expect(attempts(trace, "d")).toEqual([bearer(13)]);
    },
  },
  "refresh failure with an expired token: the error, then a fresh start": {
    tokens: [{ token: 1, expiresIn: 10 * MINUTE }, { fail: "credential unavailable", after: 100 }],
    actions: [{ send: "a" }, { advance: 11 * MINUTE }, { send: "b" }, { send: "c" }, { advance: SECOND }, { send: "d" }],
    check: (trace) => {
      expect(outcome(trace, "b")?.error).toMatchObject({ class: "Error", message: "credential unavailable" });
      expect(outcome(trace, "c")?.error).toMatchObject({ message: "credential unavailable" });
      expect(getTokens(trace)).toHaveLength(3);
      expect(attempts(trace, "d")).toEqual([bearer(3)]);
    },
  },
  "failure inside the forced window is retried once the token has expired": {
    tokens: [{ token: 1, expiresIn: 10 * MINUTE }, { fail: "credential unavailable" }],
    actions: [{ send: "a" }, { advance: 10 * MINUTE - 500 }, { send: "b" }, { advance: 3 * SECOND }],
    check: (trace) => {
      expect(getTokens(trace).map((call) => call.at)).toEqual([0, 10 * MINUTE - 500, 10 * MINUTE + 2_500]);
      expect(attempts(trace, "b")).toEqual([bearer(3)]);
    },
  },
  "failure inside the forced window, failing again after expiry: the error": {
    tokens: [{ token: 1, expiresIn: 10 * MINUTE }, { fail: "first failure" }, { fail: "second failure" }],
    actions: [{ send: "a" }, { advance: 10 * MINUTE - 500 }, { send: "b" }, { advance: 3 * SECOND }],
    check: (trace) => expect(outcome(trace, "b")?.error).toMatchObject({ class: "Error", message: "second failure" }),
  },
  "the first getToken fails: its error as is, the next request tries again": {
    tokens: [{ fail: "no credential configured" }],
    actions: [{ send: "a" }, { send: "b" }],
    check: (trace) => {
      expect(outcome(trace, "a")?.error).toStrictEqual({ class: "Error", name: "Error", message: "no credential configured", statusCode: undefined, code: undefined });
      expect(attempts(trace)).toEqual([bearer(2)]);
    },
  },
  "getToken throws synchronously": {
    tokens: [{ throwSync: "sync failure" }],
    actions: [{ send: "a" }, { send: "b" }],
    check: (trace) => expect(outcome(trace, "a")?.error).toMatchObject({ message: "sync failure" }),
  },
  "null token on the first call: core's error": {
    tokens: [{ nothing: true }],
    actions: [{ send: "a" }, { send: "b" }],
    check: (trace) => {
      expect(outcome(trace, "a")?.error).toStrictEqual({ class: "Error", name: "Error", message: "Failed to refresh access token.", statusCode: undefined, code: undefined });
      expect(attempts(trace)).toEqual([bearer(2)]);
    },
  },
  "null tokens in the refresh window are retried while the old token is used": {
    tokens: [{ token: 1, expiresIn: 3 * MINUTE }, { nothing: true }, { nothing: true }],
    actions: [{ send: "a" }, { advance: 90 * SECOND }, { send: "b" }, { advance: 6 * SECOND }, { send: "c" }],
    check: (trace) => {
      expect(getTokens(trace)).toHaveLength(4);
      expect(attempts(trace)).toEqual([bearer(1), bearer(1), bearer(4)]);
    },
  },
  "null token after expiry: core's error": {
    tokens: [{ token: 1, expiresIn: 10 * MINUTE }, { nothing: true }],
    actions: [{ send: "a" }, { advance: 11 * MINUTE }, { send: "b" }],
    check: (trace) => expect(outcome(trace, "b")?.error).toMatchObject({ message: "Failed to refresh access token." }),
  },
  "CAE challenge: one token with the claims, one retry": {
    answers: [{ status: 401, challenge: caeHeader() }],
    actions: [{ send: "a", abortable: true }, { send: "b" }],
    check: (trace) => {
      expect(getTokens(trace).map((call) => call.options)).toStrictEqual([
        { abortSignal: "signal:a", tracingOptions: "tracing:a", enableCae: true },
        { enableCae: true, claims: CLAIMS_JSON },
      ]);
      expect(attempts(trace, "a")).toEqual([bearer(1), bearer(2)]);
      expect(outcome(trace, "a")?.status).toBe(200);
      expect(attempts(trace, "b")).toEqual([bearer(2)]);
    },
  },
  "CAE challenge: the retry uses the new token's tokenType, the first attempt always Bearer": {
    tokens: [{ token: 1, expiresIn: 60 * MINUTE, tokenType: "pop" }, { token: 2, expiresIn: 60 * MINUTE, tokenType: "pop" }],
    answers: [{ status: 401, challenge: caeHeader() }],
    actions: [{ send: "a" }],
    check: (trace) => expect(attempts(trace)).toEqual([bearer(1), `pop ${tokenValue(2)}`]),
  },
  "CAE challenge inside a RestError: retried, and the retry's success returned": {
    answers: [{ restError: 401, challenge: caeHeader() }],
    actions: [{ send: "a" }],
    check: (trace) => expect(outcome(trace, "a")?.status).toBe(200),
  },
  "CAE challenge, the retry fails with a RestError: that error": {
    answers: [{ status: 401, challenge: caeHeader() }, { restError: 503 }],
    actions: [{ send: "a" }],
    check: (trace) => expect(outcome(trace, "a")?.error).toMatchObject({ class: "RestError", statusCode: 503 }),
  },
  "CAE challenge twice: only one retry": {
    answers: [{ status: 401, challenge: caeHeader() }, { status: 401, challenge: caeHeader() }],
    actions: [{ send: "a" }],
    check: (trace) => {
      expect(attempts(trace)).toHaveLength(2);
      expect(outcome(trace, "a")?.status).toBe(401);
    },
  },
  "CAE challenge with claims that are not base64: the 401 as is": {
    answers: [{ status: 401, challenge: caeHeader("not*base64!") }],
    actions: [{ send: "a" }],
    check: (trace) => {
      expect(getTokens(trace)).toHaveLength(1);
      expect(outcome(trace, "a")?.status).toBe(401);
    },
  },
  "CAE challenge with bad claims inside a RestError: the response, not the error": {
    answers: [{ restError: 401, challenge: caeHeader("not*base64!") }],
    actions: [{ send: "a" }],
    check: (trace) => expect(outcome(trace, "a")?.status).toBe(401),
  },
  "CAE getToken fails: its error": {
    tokens: [{ token: 1, expiresIn: 60 * MINUTE }, { fail: "claims refused" }],
    answers: [{ status: 401, challenge: caeHeader() }],
    actions: [{ send: "a" }, { send: "b" }],
    check: (trace) => {
      expect(outcome(trace, "a")?.error).toMatchObject({ message: "claims refused" });
      expect(attempts(trace, "b")).toEqual([bearer(3)]);
    },
  },
  "CAE getToken returns null: core's error": {
    tokens: [{ token: 1, expiresIn: 60 * MINUTE }, { nothing: true }],
    answers: [{ status: 401, challenge: caeHeader() }],
    actions: [{ send: "a" }],
    check: (trace) => expect(outcome(trace, "a")?.error).toMatchObject({ message: "Failed to refresh access token." }),
  },
  "CAE challenge while a background refresh runs: that refresh is shared": {
    tokens: [{ token: 1, expiresIn: 3 * MINUTE }, { token: 2, expiresIn: 60 * MINUTE, after: SECOND }],
    answers: [{ status: 200 }, { status: 401, challenge: caeHeader() }],
    actions: [{ send: "a" }, { advance: 90 * SECOND }, { send: "b" }, { advance: SECOND }],
    check: (trace) => {
      expect(getTokens(trace)).toHaveLength(2);
      expect(attempts(trace, "b")).toEqual([bearer(1), bearer(2)]);
    },
  },
  "401 that is not a CAE challenge: returned, no new token": {
    answers: [
      { status: 401, challenge: 'Bearer error="invalid_token", error_description="expired"' },
      { status: 401 },
      { status: 403, challenge: caeHeader() },
      { restError: 401, challenge: 'Bearer error="invalid_token"' },
    ],
    actions: [{ send: "a" }, { send: "b" }, { send: "c" }, { send: "d" }],
    check: (trace) => {
      expect(getTokens(trace)).toHaveLength(1);
      expect(attempts(trace)).toHaveLength(4);
      expect(outcome(trace, "d")?.error).toMatchObject({ class: "RestError", statusCode: 401 });
    },
  },
  "a transport error is rethrown": {
    answers: [{ throws: "socket hang up" }, { restError: 500 }],
    actions: [{ send: "a" }, { send: "b" }],
    check: (trace) => {
      expect(outcome(trace, "a")?.error).toMatchObject({ class: "Error", message: "socket hang up" });
      expect(outcome(trace, "b")?.error).toMatchObject({ class: "RestError", statusCode: 500 });
    },
  },
  "http URLs are refused before any getToken, https in any case is accepted": {
    actions: [
      { send: "a", url: "http://127.0.0.1:4000/identities" },
      { send: "b", url: "HTTPS://CONTOSO.communication.azure.com/identities" },
      { send: "c", url: " https://contoso.communication.azure.com/" },
      { send: "d", url: "httpsx://contoso" },
    ],
    check: (trace) => {
      const refused = { class: "Error", name: "Error", message: "Bearer token authentication is not permitted for non-TLS protected (non-https) URLs.", statusCode: undefined, code: undefined };
      expect(outcome(trace, "a")?.error).toStrictEqual(refused);
      expect(outcome(trace, "b")?.status).toBe(200);
      expect(outcome(trace, "c")?.error).toStrictEqual(refused);
      expect(outcome(trace, "d")?.error).toStrictEqual(refused);
      expect(getTokens(trace)).toHaveLength(1);
    },
  },
  "abort during getToken: the AbortError, then a fresh start": {
    tokens: [{ token: 1, expiresIn: 60 * MINUTE, after: SECOND }],
    actions: [{ send: "a", abortable: true }, { advance: 100 }, { abort: "a" }, { send: "b" }],
    check: (trace) => {
      expect(outcome(trace, "a")?.error).toMatchObject({ name: "AbortError" });
      expect(getTokens(trace)).toHaveLength(2);
      expect(attempts(trace)).toEqual([bearer(2)]);
    },
  },
  "abort of the request whose getToken others share: they fail too": {
    tokens: [{ token: 1, expiresIn: 60 * MINUTE, after: SECOND }],
    actions: [{ send: "a", abortable: true }, { send: "b" }, { abort: "a" }],
    check: (trace) => expect(outcome(trace, "b")?.error).toMatchObject({ name: "AbortError" }),
  },
};

describe("createBearerTokenPolicy, differentially against core's bearerTokenAuthenticationPolicy", () => {
  it.each(Object.entries(scenarios))("%s", async (_name, scenario) => {
    await expectSameAsCore(scenario);
  });

  it("has core's name", () => {
    expect(bearerTokenPolicyName).toBe(bearerTokenAuthenticationPolicyName);
    expect(createBearerTokenPolicy({ getToken: async () => null }, communicationScope).name).toBe(bearerTokenAuthenticationPolicyName);
    expect(createAuthPolicy({ getToken: async () => null }).name).toBe(bearerTokenAuthenticationPolicyName);
  });
});

/** A deterministic PRNG, so a failure names a reproducible header. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("reading WWW-Authenticate as core does", () => {
  const written = [
    caeHeader(),
    `Bearer error="insufficient_claims", claims="${CLAIMS}"`,
    `Bearer claims="${CLAIMS}", error="insufficient_claims"`,
    `Pop nonce="x", Bearer error="insufficient_claims", claims="${CLAIMS}"`,
    `Bearer realm="", error="invalid_token", Bearer error="insufficient_claims", claims="${CLAIMS}"`,
    `bearer error="insufficient_claims", claims="${CLAIMS}"`,
    `Bearer error="insufficient_claims", claims=""`,
    `Bearer error="insufficient_claims", claims=" "`,
    `Bearer error=insufficient_claims, claims="${CLAIMS}"`,
    `Bearer error="insufficient_claims", claims=${CLAIMS}`,
    `Bearer error="insufficient_claims" , claims="${CLAIMS}"`,
    `Bearer error="insufficient_claims",claims="${CLAIMS}"`,
    `Bearer  error="insufficient_claims",   claims="${CLAIMS}"`,
    `Bearer error="insufficient_claims", claims="${CLAIMS}", claims="Zm9v"`,
    `Bearer error="insufficient_claims", claims="Zm9v", error="other"`,
    `Bearer realm=a b, error="insufficient_claims", claims="${CLAIMS}"`,
    `Bearer realm=x y="z", error="insufficient_claims", claims="${CLAIMS}"`,
    `Bearer a="x Pop b=c", error="insufficient_claims", claims="${CLAIMS}"`,
    `Bearer a= "x y=z", error="insufficient_claims", claims="${CLAIMS}"`,
    `xBearer error="insufficient_claims", claims="${CLAIMS}"`,
    `Basic, Bearer error="insufficient_claims", claims="${CLAIMS}"`,
    `Bearer __proto__="x", error="insufficient_claims", claims="${CLAIMS}"`,
    "",
    "Bearer",
  ];
  const random = mulberry32(20260101);
  const fragments = ["Bearer", "Pop", "bearer", " ", ", ", " , ", ",", "=", '"', 'error="insufficient_claims"', `claims="${CLAIMS}"`, 'claims="Zm9v"', 'claims=""', 'realm=""', "error=insufficient_claims", "claims=Zm9v", "x", "a=b", '"a b=c"', "  "];
  const generated = Array.from({ length: 150 }, () => {
    let header = "";
    for (let i = 1 + Math.floor(random() * 10); i > 0; i--) header += fragments[Math.floor(random() * fragments.length)];
    return header;
  });

  it.each([...written, ...generated])("%j", async (challenge) => {
    const trace = await expectSameAsCore({ answers: [{ status: 401, challenge }], actions: [{ send: "a" }] });
    expect(getTokens(trace).length).toBeGreaterThan(0);
  });

  it("the written headers include ones core answers and ones it does not", async () => {
    const answered = [];
    for (const challenge of written) answered.push(getTokens(await run(corePolicy, { answers: [{ status: 401, challenge }], actions: [{ send: "a" }] })).length === 2);
    expect(answered).toContain(true);
    expect(answered).toContain(false);
  });
});

describe("createBearerTokenPolicy, beyond core", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it("logs unparsable claims on the SDK's logger, without the token or the claims", async () => {
    const warning = vi.spyOn(logger, "warning").mockImplementation(() => undefined);
    const policy = createBearerTokenPolicy({ getToken: async () => ({ token: `${TOKEN_PREFIX}1`, expiresOnTimestamp: Date.now() + MINUTE * 60 }) }, communicationScope);
    const request = createPipelineRequest({ url: URL_HTTPS });
    const response = await policy.sendRequest(request, async (r) => ({
      status: 401,
      request: r,
      headers: createHttpHeaders({ "WWW-Authenticate": caeHeader("not*base64!") }),
    }));
    expect(response.status).toBe(401);
    expect(warning).toHaveBeenCalledTimes(1);
    const message = String(warning.mock.calls[0][0]);
    expect(message).toMatch(/claims/);
    expect(message).not.toContain(TOKEN_PREFIX);
    expect(message).not.toContain("not*base64!");
  });

  it("a background refresh that fails until expiry with no request waiting is no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      let calls = 0;
      const policy = createBearerTokenPolicy(
        {
          getToken: async () => {
            calls++;
            if (calls > 1) throw new Error("credential unavailable");
            return { token: `${TOKEN_PREFIX}1`, expiresOnTimestamp: Date.now() + 3 * MINUTE };
          },
        },
        communicationScope,
      );
      const next = async (r: PipelineRequest): Promise<PipelineResponse> => ({ status: 200, request: r, headers: createHttpHeaders() });
      await policy.sendRequest(createPipelineRequest({ url: URL_HTTPS }), next);
      await vi.advanceTimersByTimeAsync(90 * SECOND);
      await policy.sendRequest(createPipelineRequest({ url: URL_HTTPS }), next);
      await vi.advanceTimersByTimeAsync(2 * MINUTE);
      vi.useRealTimers();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(calls).toBeGreaterThan(10);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("bearer auth in the client", () => {
  const credential: TokenCredential = { getToken: async () => ({ token: `${TOKEN_PREFIX}1`, expiresOnTimestamp: Date.now() + 60 * MINUTE }) };

  it("rejects http endpoints with core's Error, sending nothing", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const getToken = vi.fn(credential.getToken);
    const client = new CommunicationIdentityClient("http://127.0.0.1:4000", { getToken }, { httpClient, allowInsecureConnection: true });
    const error = await client.createUser().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("Error");
    expect((error as Error).message).toBe("Bearer token authentication is not permitted for non-TLS protected (non-https) URLs.");
    expect(getToken).not.toHaveBeenCalled();
    expect(httpClient.requests).toHaveLength(0);
  });

  it("a user policy named like core's bearer policy is a duplicate, as with core's policy", async () => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const policy: PipelinePolicy = { name: bearerTokenAuthenticationPolicyName, sendRequest: (request, next) => next(request) };
    const client = new CommunicationIdentityClient("https://contoso.communication.azure.com", credential, {
      httpClient,
      additionalPolicies: [{ policy, position: "perCall" }],
    });
    await expect(client.createUser()).rejects.toThrow("Duplicate policy names not allowed in pipeline");
  });
});
