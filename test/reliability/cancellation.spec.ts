import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";
import { CommunicationIdentityClient } from "../../src/index.js";
import { reportFigure } from "../helpers/figures.js";
import { createRecordingHttpClient, type RecordingHttpClient } from "../helpers/recordingHttpClient.js";
import { waitFor } from "../transport/testServers.js";

const CREATE = { method: "POST", path: "/identities" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let emulator: IdentityEmulator;
beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
});
afterEach(() => emulator.clearFaults());
afterAll(() => emulator.close());

function clientWith(retryDelayInMs = 20): { client: CommunicationIdentityClient; http: RecordingHttpClient } {
  const http = createRecordingHttpClient();
  const client = new CommunicationIdentityClient(emulator.connectionString, {
    ...emulator.clientOptions(),
    httpClient: http,
    retryOptions: { retryDelayInMs, maxRetryDelayInMs: retryDelayInMs },
  });
  return { client, http };
}

/**
 * Aborts once `ready` holds and records the order of what follows. No wall-clock bound: "at once"
 * means the call rejects while the service still holds its answer (or before the back-off ends),
 * which the attempts' outcomes and the event order show.
 */
async function abortWhen<T>(promise: Promise<T>, controller: AbortController, ready: () => boolean): Promise<{ error: unknown; events: string[] }> {
  const events: string[] = [];
  let abortedAt = 0;
  const outcome = promise.then(
    () => {
      events.push("resolved");
      return undefined;
    },
    (error: unknown) => {
      events.push("rejected");
      reportFigure(`rejected after abort (${expect.getState().currentTestName})`, Math.round((performance.now() - abortedAt) * 10) / 10);
      return error;
    },
  );
  await waitFor(ready, 5_000);
  events.push("abort");
  abortedAt = performance.now();
  controller.abort();
  const error = await outcome;
  return { error, events };
}

describe("abortSignal", () => {
  it("aborts a request in flight at once, and nothing is sent afterwards", async () => {
    const { client, http } = clientWith();
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { delayMs: 3_000 } }]);
    const controller = new AbortController();
    const { error, events } = await abortWhen(client.createUser({ abortSignal: controller.signal }), controller, () => http.attempts.length === 1);
    expect(error).toMatchObject({ name: "AbortError" });
    expect(events).toEqual(["abort", "rejected"]);
    // The transport gave up on the stalled answer rather than receiving it.
    expect(http.attempts).toHaveLength(1);
    expect(http.attempts[0].outcome).toBe("AbortError");
    await sleep(200);
    expect(http.attempts).toHaveLength(1);
  });

  it("aborts during a Retry-After back-off at once; the retry is never sent", async () => {
    const { client, http } = clientWith();
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { status: 429, retryAfterSeconds: 10 } }]);
    const controller = new AbortController();
    const { error, events } = await abortWhen(
      client.createUserAndToken(["chat"], { abortSignal: controller.signal }),
      controller,
      () => http.attempts[0]?.outcome === 429,
    );
    expect(error).toMatchObject({ name: "AbortError" });
    expect(events).toEqual(["abort", "rejected"]);
    // Rejected within the 10 s back-off: the retry never left.
    expect(http.attempts).toHaveLength(1);
    await sleep(200);
    expect(http.attempts).toHaveLength(1);
  });

  it("aborts during an exponential back-off (503 without Retry-After) at once", async () => {
    const { client, http } = clientWith(10_000);
    const user = await client.createUser();
    emulator.injectFaults([{ match: { method: "POST", path: /:issueAccessToken$/ }, times: 1, fault: { status: 503 } }]);
    const controller = new AbortController();
    const { error, events } = await abortWhen(
      client.getToken(user, ["voip"], { abortSignal: controller.signal }),
      controller,
      () => http.attempts[1]?.outcome === 503,
    );
    expect(error).toMatchObject({ name: "AbortError" });
    expect(events).toEqual(["abort", "rejected"]);
    expect(http.attempts).toHaveLength(2);
    await sleep(200);
    expect(http.attempts).toHaveLength(2);
  });

  it("rejects without sending anything when the signal is already aborted, for every method", async () => {
    const { client, http } = clientWith();
    const abortSignal = AbortSignal.abort();
    const user = { communicationUserId: `8:acs:${emulator.resourceId}_x` };
    const teams = { teamsUserAadToken: "t", clientId: "c", userObjectId: "o" };
    const calls = [
      () => client.createUser({ abortSignal }),
      () => client.createUserAndToken(["chat"], { abortSignal }),
      () => client.getUser(user, { abortSignal }),
      () => client.getUserDetail(user, { abortSignal }),
      () => client.getToken(user, ["chat"], { abortSignal }),
      () => client.revokeTokens(user, { abortSignal }),
      () => client.deleteUser(user, { abortSignal }),
      () => client.getTokenForTeamsUser({ ...teams, abortSignal }),
    ];
    for (const call of calls) await expect(call()).rejects.toMatchObject({ name: "AbortError" });
    expect(http.attempts.every((a) => a.outcome === "AbortError")).toBe(true);
    await sleep(50);
    expect(http.attempts.filter((a) => typeof a.outcome === "number")).toEqual([]);
  });
});

describe("requestOptions.timeout", () => {
  it("fires when the service stalls, without waiting for the answer, says so, and the call is not retried", async () => {
    const { client, http } = clientWith();
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { delayMs: 3_000 } }]);
    const started = performance.now();
    const error = (await client.createUser({ requestOptions: { timeout: 250 } }).catch((e: unknown) => e)) as Error;
    reportFigure("timeout 250 ms fired after", Math.round(performance.now() - started));
    expect(error).toMatchObject({ name: "AbortError" });
    expect(error.message).toBe("The operation timed out after 250 ms (requestOptions.timeout) and was aborted.");
    // The transport aborted the stalled request; the 3 s answer never arrived, and nothing was retried.
    expect(http.attempts).toHaveLength(1);
    expect(http.attempts[0].outcome).toBe("AbortError");
  });

  it("does not fire when the answer arrives in time", async () => {
    const { client } = clientWith();
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { delayMs: 50 } }]);
    // A generous timeout: what is under test is that it does not fire, not how fast the answer is.
    await expect(client.createUser({ requestOptions: { timeout: 10_000 } })).resolves.toMatchObject({ communicationUserId: expect.stringMatching(/^8:acs:/) });
  });

  it("an abort by the caller's signal keeps the transport's message even with a timeout set", async () => {
    const { client, http } = clientWith();
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { delayMs: 3_000 } }]);
    const controller = new AbortController();
    const { error } = await abortWhen(
      client.createUser({ abortSignal: controller.signal, requestOptions: { timeout: 60_000 } }),
      controller,
      () => http.attempts.length === 1,
    );
    expect(error).toMatchObject({ name: "AbortError" });
    expect((error as Error).message).not.toContain("timed out");
  });
});
