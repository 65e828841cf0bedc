import { RestError, type PipelineRetryOptions } from "@azure/core-rest-pipeline";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";
// The emulator's journal file in its location (emulator/src/journal.ts).
const JOURNAL_FILE = "identity-emulator.journal";
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
  // Durable, so the journal can tell how many identities a create really made.
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

/** Create records in the emulator's journal, i.e. identities it really made. */
function journaledCreates(): Array<{ id: string; customId?: string }> {
  return readFileSync(path.join(location, JOURNAL_FILE), "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line))
    .filter((record) => record.t === "create");
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
    expect(gaps(http, "429 Retry-After: 1")[0]).toBeGreaterThanOrEqual(1000);
    expect(gaps(http)[0]).toBeLessThan(2500);
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

  it("signs every attempt afresh: a new x-ms-date each time and a signature valid for it", async () => {
    const { client, http } = clientWith({ retryDelayInMs: 1, maxRetryDelayInMs: 1 });
    const user = await client.createUser();
    // Retry-After 1 s twice guarantees three different x-ms-date seconds.
    emulator.injectFaults([{ match: { method: "POST", path: /issueAccessToken/ }, times: 2, fault: { status: 429, retryAfterSeconds: 1 } }]);
    await client.getToken(user, ["chat"], { tokenExpiresInMinutes: 60 });
    const attempts = http.attempts.slice(1);
    expect(attempts.map((a) => a.outcome)).toEqual([429, 429, 200]);
    const dates = attempts.map((a) => a.headers["x-ms-date"]);
    reportFigure("x-ms-date per attempt", dates);
    expect(new Set(dates).size).toBe(3);
    for (const [i, attempt] of attempts.entries()) {
      const date = new Date(dates[i]);
      // Dated when it left (within the second), not reused from the first attempt.
      expect(Math.abs(attempt.sentAt - date.getTime())).toBeLessThan(1500);
      const expected = hmacHeaders({ method: attempt.method, url: attempt.url, body: attempt.body, accessKey: accessKeyOf(emulator.connectionString), date });
      expect(attempt.headers["x-ms-content-sha256"]).toBe(expected["x-ms-content-sha256"]);
      expect(attempt.headers.authorization).toBe(expected.authorization);
    }
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

  it("honours retryDelayInMs (with jitter between half and all of it)", async () => {
    const { client, http } = clientWith({ retryDelayInMs: 300, maxRetryDelayInMs: 10_000 });
    emulator.injectFaults([{ match: CREATE, times: 2, fault: { status: 500 } }]);
    await client.createUser();
    const [first, second] = gaps(http, "retryDelayInMs 300");
    // Attempt n waits retryDelayInMs * 2^n, of which a random half is jitter (plus scheduling slack on a busy machine).
    expect(first).toBeGreaterThanOrEqual(150);
    expect(first).toBeLessThan(300 + 400);
    expect(second).toBeGreaterThanOrEqual(300);
    expect(second).toBeLessThan(600 + 400);
  });

  it("honours maxRetryDelayInMs as the cap on the back-off", async () => {
    const { client, http } = clientWith({ retryDelayInMs: 5_000, maxRetryDelayInMs: 100 });
    emulator.injectFaults([{ match: CREATE, times: 2, fault: { status: 502 } }]);
    await client.createUser();
    for (const gap of gaps(http, "retryDelayInMs 5000 capped at 100")) {
      expect(gap).toBeGreaterThanOrEqual(50);
      expect(gap).toBeLessThan(100 + 400);
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
    expect(journaledCreates().filter((record) => record.customId === customId)).toEqual([{ t: "create", id: user.communicationUserId, customId }]);
  });

  it("is retried for createUserAndToken with a customId: one identity, a valid token for it", async () => {
    const { client } = clientWith();
    const customId = `dropped-token-${Date.now()}`;
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { dropResponseAfterHandling: true } }]);
    const { user, token } = await client.createUserAndToken(["chat"], { customId });
    expect(journaledCreates().filter((record) => record.customId === customId).map((record) => record.id)).toEqual([user.communicationUserId]);
    expect(await verifyToken(emulator, token)).toMatchObject({ valid: true, identity: user.communicationUserId });
  });

  it("without a customId makes a second identity: the service offers no idempotency key, so callers who need one pass customId", async () => {
    const { client } = clientWith();
    const before = journaledCreates().length;
    emulator.injectFaults([{ match: CREATE, times: 1, fault: { dropResponseAfterHandling: true } }]);
    const user = await client.createUser();
    const made = journaledCreates().slice(before);
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
