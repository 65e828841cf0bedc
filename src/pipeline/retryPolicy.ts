import { isRestError, type PipelinePolicy, type PipelineRequest, type PipelineResponse, type PipelineRetryOptions, type RestError } from "@azure/core-rest-pipeline";
import { AbortError } from "./errors.js";

/** The name of core's `defaultRetryPolicy`, which this policy replaces: users' policies see it. */
export const defaultRetryPolicyName = "defaultRetryPolicy";

// Network errors core retries when they bring no response.
const systemErrorCodes = ["ETIMEDOUT", "ESOCKETTIMEDOUT", "ECONNREFUSED", "ECONNRESET", "ENOENT", "ENOTFOUND"];

/**
 * Core's `defaultRetryPolicy` (core-rest-pipeline 1.24.0) in one function, in a fraction of its bundle size.
 * Every retry, throttled or not, counts against `maxRetries` (default 3). A 429 or 503 with a valid `retry-after-ms`,
 * `x-ms-retry-after-ms` or `Retry-After` (seconds or HTTP date) waits that long. Otherwise 408 and 5xx but
 * 501/505, and the network errors above, wait `retryDelayInMs × 2^retry` (default 1000) capped at
 * `maxRetryDelayInMs` (default 64000), with jitter over its upper half. Any other answer is returned, any other
 * RestError rethrown, and non-RestErrors pass through at once. Core writes its retry log lines only to the
 * `typeSpecRuntime` namespace, which AZURE_LOG_LEVEL does not enable; this policy writes none.
 */
export function createRetryPolicy(options: PipelineRetryOptions = {}): PipelinePolicy {
  const maxRetries = options.maxRetries ?? 3;
  const retryDelayInMs = options.retryDelayInMs ?? 1000;
  const maxRetryDelayInMs = options.maxRetryDelayInMs ?? 64_000;
  return {
    name: defaultRetryPolicyName,
    async sendRequest(request, next) {
      for (let retryCount = 0; ; retryCount++) {
        let response: PipelineResponse | undefined;
        let error: RestError | undefined;
        try {
          response = await next(request);
        } catch (thrown) {
          if (!isRestError(thrown)) throw thrown;
          error = thrown;
          response = thrown.response;
        }
        if (request.abortSignal?.aborted) throw new AbortError();
        if (retryCount < maxRetries) {
          let waitMs = throttlingDelay(response);
          if (!Number.isFinite(waitMs)) {
            const retriable = response ? isRetriableStatus(response.status) : !error || systemErrorCodes.includes(error.code!);
            waitMs = retriable ? backoff(retryCount, retryDelayInMs, maxRetryDelayInMs) : undefined;
          }
          // As core: a NaN delay (non-numeric options) means no retry.
          if (waitMs || waitMs === 0) {
            await delay(waitMs, request.abortSignal);
            continue;
          }
        }
        if (error) throw error;
        if (response) return response;
        if (retryCount >= maxRetries) throw new Error("Maximum retries reached with no response or error to throw");
      }
    },
  };
}

function isRetriableStatus(status: number): boolean {
  return (status >= 500 || status === 408) && status !== 501 && status !== 505;
}

/** The wait a 429 or 503 asks for, in ms; undefined when it names none that parses. */
function throttlingDelay(response: PipelineResponse | undefined): number | undefined {
  if (response?.status !== 429 && response?.status !== 503) return undefined;
  try {
    for (const name of ["retry-after-ms", "x-ms-retry-after-ms", "Retry-After"]) {
      const value = response.headers.get(name);
      // Retry-After counts seconds, the others milliseconds.
      if (value && !Number.isNaN(Number(value))) return Number(value) * (name === "Retry-After" ? 1000 : 1);
    }
    const date = response.headers.get("Retry-After");
    if (!date) return undefined;
    const diff = Date.parse(date) - Date.now();
    return Number.isFinite(diff) ? Math.max(0, diff) : undefined;
  } catch {
    return undefined;
  }
}

/** Core's exponential delay: the capped delay's lower half plus a random whole number of ms up to its upper half. */
function backoff(retryCount: number, retryDelayInMs: number, maxRetryDelayInMs: number): number {
  const capped = Math.min(maxRetryDelayInMs, retryDelayInMs * 2 ** retryCount);
  return capped / 2 + Math.floor(Math.random() * (Math.floor(capped / 2) + 1));
}

function delay(ms: number, signal: PipelineRequest["abortSignal"]): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError("The operation was aborted."));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
