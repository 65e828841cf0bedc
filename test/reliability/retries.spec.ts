import {
  createHttpHeaders,
  RestError,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
  type PipelineRetryOptions,
} from "@azure/core-rest-pipeline";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";
import { CommunicationIdentityClient } from "../../src/index.js";
import { accessKeyOf, hmacHeaders, verifyToken } from "../helpers/emulatorSigner.js";
import { reportFigure } from "../helpers/figures.js";
import { createRecordingHttpClient, type RecordingHttpClient } from "../helpers/recordingHttpClient.js";

// Short back-offs keep the suite fast; tests about delays set their own.
const FAST_RETRIES: PipelineRetryOptions = { retryDelayInMs: 20, maxRetryDelayInMs: 80 };
const CREATE = { method: "POST", path: "/identities" };

let location: string;
let emulator: IdentityEmulator;
beforeAll(async () => {
  // Durable, like a resource: a create is acknowledged once it is on disk.
  location = mkdtempSync(path.join(tmpdir(), "reliability-retries-"));
  emulator = await startIdentityEmulator({ port: 0, location });
});
afterEach(() => emulator.clearFaults());
afterAll(async () => {
  await emulator.close();
  rmSync(location, { recursive: true, force: true });
});

function clientWith(retryOptions: PipelineRetryOptions = FAST_RETRIES): { client: CommunicationIdentityClient; http: RecordingHttpClient } {
  const http = createRecordingHttpClient();
  const client = new CommunicationIdentityClient(emulator.connectionString, { ...emulator.clientOptions(), httpClient: http, retryOptions });
  return { client, http };
}

function gaps(http: RecordingHttpClient, figure?: string): number[] {
  const result = http.attempts.slice(1).map((attempt, i) => attempt.sentAt - http.attempts[i].sentAt);
  if (figure) reportFigure(figure, { outcomes: http.attempts.map((a) => a.outcome), gapsMs: result });
  return result;
}

/** The identities the emulator really made (deleted ones included), as its own listing tells. */
function identitiesMade(): Array<{ id: string; customId?: string }> {
  return emulator.identities().map(({ id, customId }) => (customId === undefined ? { id } : { id, customId }));
}

describe("retries", () => {
  it("succeeds on the third attempt after two 503s", async () => {
    const { client, http } = clientWith();
    emulator.injectFaults([{ match: CREATE, times: 2, fault: { status: 503 } }]);
    const user = await client.createUser();
    expect(user.communicationUserId).toMatch(/^8:acs:/);
    expect(http.attempts.map((a) => a.outcome)).toEqual([503, 503, 201]);
    gaps(http, "503 twice then success");
  });

  it("waits at least Retry-After (1 s) after a 429 before the next attempt", async () => {
    // Exponential delays of 1 ms prove the wait comes from the header, not from the back-off.
    const { client, http } = clientWith({ retryDelayInMs: 1, maxRetryDelayInMs: 1 });
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { status: 429, retryAfterSeconds: 1 } }]);
    await client.createUserAndToken(["chat"]);
    expect(http.attempts.map((a) => a.outcome)).toEqual([429, 201]);
    // Exact timing (no later than Retry-After) is pinned with fake timers below.
    expect(gaps(http, "429 Retry-After: 1")[0]).toBeGreaterThanOrEqual(1000);
  });

  it("honours Retry-After on a 503 too", async () => {
    const { client, http } = clientWith({ retryDelayInMs: 1, maxRetryDelayInMs: 1 });
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { status: 503, retryAfterSeconds: 1 } }]);
    await client.createUser();
    expect(http.attempts.map((a) => a.outcome)).toEqual([503, 201]);
    expect(gaps(http, "503 Retry-After: 1")[0]).toBeGreaterThanOrEqual(1000);
  });

  it("retries a reset connection", async () => {
    const { client, http } = clientWith();
    const user = await client.createUser();
    emulator.injectFaults([{ times: 1, fault: { reset: true } }]);
    const token = await client.getToken(user, ["voip"]);
    expect(token.token.split(".")).toHaveLength(3);
    expect(http.attempts.slice(1).map((a) => a.outcome)).toEqual(["ECONNRESET", 200]);
    reportFigure("reset then success", { outcomes: http.attempts.slice(1).map((a) => a.outcome) });
  });

  it.each([400, 401, 404])("does not retry an injected %i", async (status) => {
    const { client, http } = clientWith();
    emulator.injectFaults([{ match: CREATE, times: 3, fault: { status } }]);
    const error = await client.createUser().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({ statusCode: status, code: "InjectedFault" });
    expect(http.attempts).toHaveLength(1);
  });

  it.each([
    [429, "a 429 without Retry-After"],
    [501, "a 501"],
    [505, "a 505"],
  ])("does not retry %i (%s)", async (status) => {
    const { client, http } = clientWith();
    emulator.injectFaults([{ match: CREATE, times: 3, fault: { status } }]);
    await expect(client.createUser()).rejects.toMatchObject({ statusCode: status });
    expect(http.attempts).toHaveLength(1);
  });

  it("retries a 408 and a 500 with back-off", async () => {
    const { client, http } = clientWith();
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { status: 408 } }, { match: CREATE, times: 1, fault: { status: 500 } }]);
    await client.createUser();
    expect(http.attempts.map((a) => a.outcome)).toEqual([408, 500, 201]);
  });

  it("does not retry the service's own 400, 401 and 404", async () => {
    const { client, http } = clientWith();
    const user = await client.createUser();
    await expect(client.getToken(user, [])).rejects.toMatchObject({ statusCode: 400, code: "ValidationError" });
    const missing = { communicationUserId: `8:acs:${emulator.resourceId}_never-created` };
    await expect(client.getUser(missing)).rejects.toMatchObject({ statusCode: 404 });
    const wrongKey = new CommunicationIdentityClient(`endpoint=${emulator.endpoint};accesskey=${Buffer.alloc(32, 7).toString("base64")}`, {
      ...emulator.clientOptions(),
      httpClient: http,
      retryOptions: FAST_RETRIES,
    });
    await expect(wrongKey.createUser()).rejects.toMatchObject({ statusCode: 401 });
    expect(http.attempts.map((a) => a.outcome)).toEqual([201, 400, 404, 401]);
  });

  it("honours maxRetries", async () => {
    const { client, http } = clientWith({ ...FAST_RETRIES, maxRetries: 1 });
    emulator.injectFaults([{ match: CREATE, times: 3, fault: { status: 503 } }]);
    await expect(client.createUser()).rejects.toMatchObject({ statusCode: 503 });
    expect(http.attempts).toHaveLength(2);

    const none = clientWith({ ...FAST_RETRIES, maxRetries: 0 });
    emulator.clearFaults();
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { reset: true } }]);
    await expect(none.client.createUser()).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(none.http.attempts).toHaveLength(1);
  });

});

/**
 * Back-off timing with fake timers and a scripted transport: the clock only moves when the test moves
 * it, so each window is checked at both ends exactly, with no slack for a busy machine.
 */
describe("retry timing", () => {
  interface Sent {
    at: number;
    method: string;
    url: string;
    body: string;
    headers: Record<string, string>;
  }
  const CONNECTION = `endpoint=https://contoso.communication.azure.com/;accesskey=${Buffer.alloc(32, 3).toString("base64")}`;
  const IDENTITY = JSON.stringify({ identity: { id: "8:acs:r_1" }, accessToken: { token: "t", expiresOn: "2030-01-01T00:00:00.0000000+00:00" } });

  function scripted(answers: Array<{ status: number; headers?: Record<string, string>; bodyAsText?: string }>): HttpClient & { sent: Sent[] } {
    const sent: Sent[] = [];
    return {
      sent,
      async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
        sent.push({ at: Date.now(), method: request.method, url: request.url, body: typeof request.body === "string" ? request.body : "", headers: request.headers.toJSON() });
        const answer = answers[Math.min(sent.length, answers.length) - 1];
        return { request, status: answer.status, headers: createHttpHeaders(answer.headers), bodyAsText: answer.bodyAsText ?? "" };
      },
    };
  }

  /** Moves the fake clock until the transport has seen `count` attempts; returns the ms it took. */
  async function untilAttempt(http: { sent: Sent[] }, count: number, limitMs: number): Promise<number> {
    let waited = 0;
    await vi.advanceTimersByTimeAsync(0);
    while (http.sent.length < count && waited < limitMs) {
      await vi.advanceTimersByTimeAsync(1);
      waited++;
    }
    expect(http.sent.length, `attempt ${count} within ${limitMs} ms of fake time`).toBeGreaterThanOrEqual(count);
    return waited;
  }

  beforeAll(async () => {
    // Loads the client's lazily imported runtime with real timers, before any test fakes them.
    await new CommunicationIdentityClient(CONNECTION, { httpClient: scripted([{ status: 201, bodyAsText: IDENTITY }]) }).createUser();
  });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: Date.UTC(2026, 0, 1, 12, 0, 0, 250) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([429, 503])("waits exactly Retry-After (1 s) after a %i, not the exponential back-off", async (status) => {
    const http = scripted([{ status, headers: { "retry-after": "1" } }, { status: 201, bodyAsText: IDENTITY }]);
    const client = new CommunicationIdentityClient(CONNECTION, { httpClient: http, retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 1 } });
    const call = client.createUserAndToken(["chat"]);
    await untilAttempt(http, 1, 0);
    await vi.advanceTimersByTimeAsync(999);
    expect(http.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(http.sent).toHaveLength(2);
    expect(http.sent[1].at - http.sent[0].at).toBe(1000);
    await expect(call).resolves.toMatchObject({ user: { communicationUserId: "8:acs:r_1" } });
  });

  it("honours retryDelayInMs: attempt n waits between half and all of retryDelayInMs × 2^(n-1)", async () => {
    const http = scripted([{ status: 500 }, { status: 500 }, { status: 201, bodyAsText: IDENTITY }]);
    const client = new CommunicationIdentityClient(CONNECTION, { httpClient: http, retryOptions: { retryDelayInMs: 300, maxRetryDelayInMs: 10_000 } });
    const call = client.createUser();
    await untilAttempt(http, 1, 0);
    const first = await untilAttempt(http, 2, 300);
    const second = await untilAttempt(http, 3, 600);
    reportFigure("retryDelayInMs 300 (fake time)", { gapsMs: [first, second] });
    expect(first).toBeGreaterThanOrEqual(150);
    expect(first).toBeLessThanOrEqual(300);
    expect(second).toBeGreaterThanOrEqual(300);
    expect(second).toBeLessThanOrEqual(600);
    await expect(call).resolves.toEqual({ communicationUserId: "8:acs:r_1" });
  });

  it("honours maxRetryDelayInMs as the cap on the back-off", async () => {
    const http = scripted([{ status: 502 }, { status: 502 }, { status: 201, bodyAsText: IDENTITY }]);
    const client = new CommunicationIdentityClient(CONNECTION, { httpClient: http, retryOptions: { retryDelayInMs: 5_000, maxRetryDelayInMs: 100 } });
    const call = client.createUser();
    await untilAttempt(http, 1, 0);
    for (const attempt of [2, 3]) {
      const gap = await untilAttempt(http, attempt, 100);
      expect(gap).toBeGreaterThanOrEqual(50);
    }
    await expect(call).resolves.toEqual({ communicationUserId: "8:acs:r_1" });
  });

  it("signs every attempt afresh: the x-ms-date of the moment it left and a signature valid for it", async () => {
    const http = scripted([
      { status: 429, headers: { "retry-after": "1" } },
      { status: 429, headers: { "retry-after": "1" } },
      { status: 200, bodyAsText: JSON.stringify({ token: "t", expiresOn: "2030-01-01T00:00:00Z" }) },
    ]);
    const client = new CommunicationIdentityClient(CONNECTION, { httpClient: http, retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 1 } });
    const call = client.getToken({ communicationUserId: "8:acs:r_1" }, ["chat"], { tokenExpiresInMinutes: 60 });
    await untilAttempt(http, 3, 2_000);
    await call;
    const dates = http.sent.map((attempt) => attempt.headers["x-ms-date"]);
    reportFigure("x-ms-date per attempt", dates);
    expect(new Set(dates).size).toBe(3);
    for (const attempt of http.sent) {
      const date = new Date(attempt.headers["x-ms-date"]);
      expect(attempt.headers["x-ms-date"]).toBe(new Date(attempt.at).toUTCString());
      const expected = hmacHeaders({ method: attempt.method, url: attempt.url, body: attempt.body, accessKey: accessKeyOf(CONNECTION), date });
      expect(attempt.headers["x-ms-content-sha256"]).toBe(expected["x-ms-content-sha256"]);
      expect(attempt.headers.authorization).toBe(expected.authorization);
    }
  });
});

describe("a create whose response is lost after the service stored it", () => {
  it("is retried and, with a customId, yields the one identity the service made", async () => {
    const { client, http } = clientWith();
    const customId = `dropped-${Date.now()}`;
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { dropResponseAfterHandling: true } }]);
    const user = await client.createUser({ customId });
    expect(http.attempts.map((a) => a.outcome)).toEqual(["ECONNRESET", 201]);
    reportFigure("dropped create with customId", { outcomes: http.attempts.map((a) => a.outcome) });
    expect((await client.getUser(user)).customId).toBe(customId);
    expect(await client.createUser({ customId })).toEqual(user);
    expect(identitiesMade().filter((record) => record.customId === customId)).toEqual([{ id: user.communicationUserId, customId }]);
  });

  it("is retried for createUserAndToken with a customId: one identity, a valid token for it", async () => {
    const { client } = clientWith();
    const customId = `dropped-token-${Date.now()}`;
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { dropResponseAfterHandling: true } }]);
    const { user, token } = await client.createUserAndToken(["chat"], { customId });
    expect(identitiesMade().filter((record) => record.customId === customId).map((record) => record.id)).toEqual([user.communicationUserId]);
    expect(await verifyToken(emulator, token)).toMatchObject({ valid: true, identity: user.communicationUserId });
  });

  it("without a customId makes a second identity: the service offers no idempotency key, so callers who need one pass customId", async () => {
    const { client } = clientWith();
    const before = new Set(identitiesMade().map((record) => record.id));
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { dropResponseAfterHandling: true } }]);
    const user = await client.createUser();
    const made = identitiesMade().filter((record) => !before.has(record.id));
    expect(made).toHaveLength(2);
    expect(made.map((record) => record.id)).toContain(user.communicationUserId);
  });
});

describe("other calls whose answer is lost after the service acted", () => {
  it("revokeTokens is retried and succeeds: revoking twice changes nothing", async () => {
    const { client, http } = clientWith();
    const { user, token } = await client.createUserAndToken(["chat"]);
    emulator.injectFaults([{ match: { method: "POST", path: /:revokeAccessTokens$/ }, times: 1, fault: { dropResponseAfterHandling: true } }]);
    await client.revokeTokens(user);
    expect(http.attempts.slice(1).map((a) => a.outcome)).toEqual(["ECONNRESET", 204]);
    expect(await verifyToken(emulator, token)).toMatchObject({ valid: false, reason: "revoked" });
  });

  it("deleteUser is retried and the retry answers 404: the user is gone either way", async () => {
    const { client, http } = clientWith();
    const user = await client.createUser();
    emulator.injectFaults([{ match: { method: "DELETE" }, times: 1, fault: { dropResponseAfterHandling: true } }]);
    await expect(client.deleteUser(user)).rejects.toMatchObject({ statusCode: 404 });
    expect(http.attempts.slice(1).map((a) => a.outcome)).toEqual(["ECONNRESET", 404]);
  });
});

describe("retries with a token credential (bearer over https)", () => {
  it("authorizes every attempt, and the retried one succeeds", async () => {
    const tls = await startIdentityEmulator({ port: 0, https: true });
    try {
      const http = createRecordingHttpClient();
      const client = new CommunicationIdentityClient(tls.endpoint, tls.tokenCredential(), { ...tls.clientOptions(), httpClient: http, retryOptions: FAST_RETRIES });
      tls.injectFaults([{ match: CREATE, times: 1, fault: { status: 503 } }, { match: CREATE, times: 1, fault: { reset: true } }]);
      const { user } = await client.createUserAndToken(["chat"]);
      expect(user.communicationUserId).toMatch(/^8:acs:/);
      expect(http.attempts.map((a) => a.outcome)).toEqual([503, "ECONNRESET", 201]);
      for (const attempt of http.attempts) expect(attempt.headers.authorization).toMatch(/^Bearer \S+$/);
    } finally {
      await tls.close();
    }
  });
});
