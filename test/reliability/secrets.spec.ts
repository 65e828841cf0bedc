import { AzureKeyCredential } from "@azure/core-auth";
import { AzureLogger, getLogLevel, setLogLevel, type AzureLogLevel } from "@azure/logger";
import { randomBytes, randomUUID } from "node:crypto";
import { format, inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSamples, linkPackage, runSamples } from "../../scripts/runSamples.js";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";
import { CommunicationIdentityClient } from "../../src/index.js";
import { accessKeyOf } from "../helpers/emulatorSigner.js";
import { createRecordingHttpClient, type RecordingHttpClient } from "../helpers/recordingHttpClient.js";

const FULL_JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/;
const HMAC_SIGNATURE = /Signature=[A-Za-z0-9+/]{20,}/;
const BEARER_VALUE = /Bearer\s+[\w-]{12,}/i;

let emulator: IdentityEmulator;
let tlsEmulator: IdentityEmulator;
/** Every secret seen in the run: keys, connection strings, Authorization values, tokens. */
const secrets = new Set<string>();
/** Everything a user could see: log lines, error renderings, client renderings. */
const visible: Array<{ where: string; text: string }> = [];
const logLines: string[] = [];
let previousLevel: AzureLogLevel | undefined;
let previousLog: typeof AzureLogger.log;

beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
  tlsEmulator = await startIdentityEmulator({ port: 0, https: true });
  for (const e of [emulator, tlsEmulator]) {
    secrets.add(e.connectionString);
    secrets.add(accessKeyOf(e.connectionString));
  }
  previousLevel = getLogLevel();
  previousLog = AzureLogger.log;
  AzureLogger.log = (...args: unknown[]) => {
    logLines.push(format(...args));
  };
  setLogLevel("verbose");
});
afterAll(async () => {
  AzureLogger.log = previousLog;
  setLogLevel(previousLevel);
  await Promise.all([emulator?.close(), tlsEmulator?.close()]);
});

function see(where: string, value: unknown): void {
  if (value instanceof Error) {
    visible.push({ where: `${where}.message`, text: value.message });
    visible.push({ where: `${where}.stack`, text: String(value.stack) });
    visible.push({ where: `${where} JSON`, text: JSON.stringify(value) ?? "" });
    visible.push({ where: `${where} inspect`, text: inspect(value, { depth: 10 }) });
    visible.push({ where: `${where} inspect(showHidden)`, text: inspect(value, { depth: 6, showHidden: true }) });
    visible.push({ where: `${where} String`, text: String(value) });
    visible.push({ where: `${where} fields`, text: inspect({ ...value }, { depth: 10 }) });
    visible.push({ where: `${where} enumerable strings`, text: enumerableStrings(value).join("\n") });
    return;
  }
  visible.push({ where: `${where} inspect`, text: inspect(value, { depth: Infinity, showHidden: true }) });
  visible.push({ where: `${where} JSON`, text: JSON.stringify(value) ?? "" });
  visible.push({ where: `${where} String`, text: String(value) });
}

/** Every string reachable through enumerable properties (and Map entries), as code walking an error would find them. */
function enumerableStrings(root: unknown): string[] {
  const strings: string[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, depth: number): void => {
    if (typeof value === "string") strings.push(value);
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 10) return;
    seen.add(value);
    if (value instanceof Map) for (const [key, entry] of value) walk([key, entry], depth + 1);
    for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key], depth + 1);
  };
  walk(root, 0);
  return strings;
}

function collectAuthorization(http: RecordingHttpClient): void {
  for (const attempt of http.attempts) {
    const authorization = attempt.headers.authorization;
    if (!authorization) continue;
    secrets.add(authorization);
    secrets.add(authorization.replace(/^\S+\s+/, "")); // the bearer token, or the HMAC parameters
    const signature = /Signature=(.+)$/.exec(authorization)?.[1];
    if (signature) secrets.add(signature);
  }
}

async function expectRejection(where: string, promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${where} should fail`).toBeInstanceOf(Error);
  see(where, error);
}

/** Runs every method, successes and failures, through one client, remembering what it must never show. */
async function exercise(name: string, client: CommunicationIdentityClient, target: IdentityEmulator): Promise<void> {
  see(`${name} client`, client);
  const user = await client.createUser();
  await client.createUser({ customId: `secret-test-${randomUUID()}` });
  const created = await client.createUserAndToken(["chat", "voip"], { tokenExpiresInMinutes: 60 });
  secrets.add(created.token);
  await client.getUser(user);
  await client.getUserDetail(created.user);
  const issued = await client.getToken(user, ["chat"]);
  secrets.add(issued.token);
  const clientId = randomUUID();
  const userObjectId = randomUUID();
  const teamsUserAadToken = target.createTeamsUserAadToken({ appId: clientId, userObjectId });
  secrets.add(teamsUserAadToken);
  const teams = await client.getTokenForTeamsUser({ teamsUserAadToken, clientId, userObjectId });
  secrets.add(teams.token);
  await client.revokeTokens(user);
  await client.deleteUser(user);

  await expectRejection(`${name} getToken(deleted)`, client.getToken(user, ["chat"]));
  await expectRejection(`${name} getToken([])`, client.getToken(created.user, []));
  const expiredAad = target.createTeamsUserAadToken({ appId: clientId, userObjectId, expiresOn: new Date(Date.now() - 3_600_000) });
  secrets.add(expiredAad);
  await expectRejection(`${name} teams(expired)`, client.getTokenForTeamsUser({ teamsUserAadToken: expiredAad, clientId, userObjectId }));
  await expectRejection(`${name} getUser(bad arg)`, client.getUser({ communicationUserId: "" }));
  target.injectFaults([{ times: 1, fault: { status: 503 } }, { times: 1, fault: { reset: true } }]);
  await client.createUser();
  target.injectFaults([{ times: 4, fault: { status: 500 } }]);
  await expectRejection(`${name} 500 after retries`, client.createUser());
  target.injectFaults([{ times: 1, fault: { delayMs: 2_000 } }]);
  await expectRejection(`${name} timeout`, client.createUser({ requestOptions: { timeout: 100 } }));
  target.clearFaults();
  see(`${name} client after use`, client);
}

const retryOptions = { retryDelayInMs: 5, maxRetryDelayInMs: 10, maxRetries: 3 };

describe("secrets never show", () => {
  it("run every method with verbose logging through connection-string, key and token-credential clients", async () => {
    const recorders: RecordingHttpClient[] = [];
    const recorder = () => {
      const http = createRecordingHttpClient();
      recorders.push(http);
      return http;
    };
    await exercise(
      "connection string",
      new CommunicationIdentityClient(emulator.connectionString, { ...emulator.clientOptions(), httpClient: recorder(), retryOptions }),
      emulator,
    );
    const keyCredential = new AzureKeyCredential(accessKeyOf(emulator.connectionString));
    await exercise(
      "key credential",
      new CommunicationIdentityClient(emulator.endpoint, keyCredential, { ...emulator.clientOptions(), httpClient: recorder(), retryOptions }),
      emulator,
    );
    await exercise(
      "token credential",
      new CommunicationIdentityClient(tlsEmulator.endpoint, tlsEmulator.tokenCredential(), { ...tlsEmulator.clientOptions(), httpClient: recorder(), retryOptions }),
      tlsEmulator,
    );

    // Failures that never reach a handler: wrong key (401), refused connection, abort.
    const wrongKey = `endpoint=${emulator.endpoint};accesskey=${randomBytes(32).toString("base64")}`;
    secrets.add(wrongKey);
    secrets.add(accessKeyOf(wrongKey));
    const wrongKeyClient = new CommunicationIdentityClient(wrongKey, { ...emulator.clientOptions(), httpClient: recorder(), retryOptions });
    await expectRejection("wrong key", wrongKeyClient.createUser());
    const refused = `endpoint=http://127.0.0.1:1;accesskey=${accessKeyOf(emulator.connectionString)}`;
    await expectRejection(
      "refused",
      new CommunicationIdentityClient(refused, { allowInsecureConnection: true, httpClient: recorder(), retryOptions }).createUser(),
    );
    const insecure = new CommunicationIdentityClient(emulator.connectionString, { httpClient: recorder(), retryOptions });
    await expectRejection("http without allowInsecureConnection", insecure.createUser());
    await expectRejection("aborted", wrongKeyClient.createUser({ abortSignal: AbortSignal.abort() }));

    for (const http of recorders) collectAuthorization(http);
    expect(logLines.length, "verbose logging must have produced lines").toBeGreaterThan(50);
    expect(logLines.join("\n")).toMatch(/azure:communication-identity/);
    visible.push(...logLines.map((text, i) => ({ where: `log line ${i}`, text })));

    const meaningful = [...secrets].filter((secret) => secret.length >= 16);
    expect(meaningful.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const { where, text } of visible) {
      for (const secret of meaningful) if (text.includes(secret)) leaks.push(`${where} shows ${secret.slice(0, 12)}…`);
      for (const pattern of [FULL_JWT, HMAC_SIGNATURE, BEARER_VALUE]) if (pattern.test(text)) leaks.push(`${where} matches ${pattern}`);
    }
    expect(leaks).toEqual([]);
  });
});

describe("invalid connection strings", () => {
  const key = randomBytes(32).toString("base64");
  const cases: Array<[string, string, RegExp]> = [
    ["no endpoint", `accesskey=${key}`, /endpoint/i],
    ["no accesskey", "endpoint=https://contoso.communication.azure.com/", /accesskey/i],
    ["an empty accesskey", "endpoint=https://contoso.communication.azure.com/;accesskey=", /accesskey/i],
    ["a key that is not base64", `endpoint=https://contoso.communication.azure.com/;accesskey=${key}!!`, /base64/i],
    ["a part without =", `endpoint=https://contoso.communication.azure.com/;${key}`, /accesskey|name=value/i],
    ["a bad endpoint", `endpoint=contoso;accesskey=${key}`, /endpoint/i],
    ["an endpoint with a path", `endpoint=https://contoso.communication.azure.com/path?secret=1;accesskey=${key}`, /endpoint/i],
    ["a second, broken key", `endpoint=https://contoso.communication.azure.com/;accesskey=${key};accesskey=${key}!`, /accesskey/i],
    ["key and endpoint swapped", `accesskey=https://contoso.communication.azure.com/;endpoint=${key}`, /endpoint|accesskey/i],
    ["a key with spaces", `endpoint=https://contoso.communication.azure.com/;accesskey=${key.slice(0, 20)} ${key.slice(20)}`, /accesskey/i],
    ["only the key", key, /connection string/i],
  ];

  it.each(cases)("%s: names the problem without echoing the input", (_name, connectionString, problem) => {
    let error: Error | undefined;
    try {
      new CommunicationIdentityClient(connectionString);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(problem);
    for (const text of [error!.message, String(error!.stack), inspect(error, { showHidden: true }), JSON.stringify(error)]) {
      expect(text).not.toContain(key.slice(0, 16));
      expect(text).not.toContain(connectionString);
    }
  });
});

describe("the samples under AZURE_LOG_LEVEL=verbose", () => {
  it("print no key, connection string, Authorization value or whole token", { timeout: 90_000 }, async () => {
    const samples = findSamples().filter((sample) => sample.language === "typescript");
    expect(samples.length).toBeGreaterThan(5);
    linkPackage(samples[0].folder);
    const env = {
      ...process.env,
      AZURE_LOG_LEVEL: "verbose",
      COMMUNICATION_CONNECTION_STRING: emulator.connectionString,
      COMMUNICATION_ENDPOINT: "",
      COMMUNICATION_ACCESS_KEY: "",
    };
    const results = await runSamples(samples, { env, concurrency: 2, timeoutMs: 30_000 });
    const key = accessKeyOf(emulator.connectionString);
    const problems: string[] = [];
    let logged = 0;
    for (const { sample, output, status, summary } of results) {
      if (output.includes("azure:communication-identity")) logged += 1;
      if (output.includes(key) || output.includes(emulator.connectionString)) problems.push(`${sample.name} printed the key`);
      for (const pattern of [FULL_JWT, HMAC_SIGNATURE, BEARER_VALUE]) if (pattern.test(output)) problems.push(`${sample.name} matches ${pattern}`);
      // Only the Entra sample may fail here: it needs https and a real identity (DefaultAzureCredential).
      if (status === "failed" && sample.name !== "typescript/authenticateWithTokenCredential.ts") problems.push(`${sample.name} failed: ${summary}`);
    }
    expect(problems).toEqual([]);
    // The verbose logs really were on, so their silence about secrets means something.
    expect(logged).toBeGreaterThan(samples.length / 2);
  });
});
