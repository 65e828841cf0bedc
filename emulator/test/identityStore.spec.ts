import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { accessKeyOf, signedRequest, verifyToken } from "../../test/helpers/emulatorSigner.js";

const PREVIEW = "api-version=2025-03-02-preview";
const JOURNAL = "identity-emulator.journal";
const dirs: string[] = [];
const running: IdentityEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "identity-emulator-"));
  dirs.push(dir);
  return dir;
}

async function start(location?: string, accessKey?: string): Promise<IdentityEmulator> {
  const e = await startIdentityEmulator({ port: 0, location, accessKey });
  running.push(e);
  return e;
}

async function stop(e: IdentityEmulator): Promise<void> {
  running.splice(running.indexOf(e), 1);
  await e.close();
}


describe.each([
  ["in memory", () => undefined],
  ["with a location", () => tempDir()],
])("customId races (%s)", (_label, location) => {
  it("maps 100 parallel creates with one customId to one identity", async () => {
    const e = await start(location());
    const results = await Promise.all(
      Array.from({ length: 100 }, () => signedRequest(e, "POST", `/identities?${PREVIEW}`, { body: { customId: "race@contoso.com" } })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.json.identity.id)).size).toBe(1);
  });
});

describe("restart with a location", () => {
  it("keeps identities, customIds, revocations, deletions, lastTokenIssuedAt and the resource's keys", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const kept = await signedRequest(first, "POST", `/identities?${PREVIEW}`, { body: { customId: "kept", createTokenWithScopes: ["chat"] } });
    const keptId = kept.json.identity.id as string;
    const revoked = await signedRequest(first, "POST", `/identities?${PREVIEW}`, { body: { createTokenWithScopes: ["chat"] } });
    await signedRequest(first, "POST", `/identities/${encodeURIComponent(revoked.json.identity.id)}/:revokeAccessTokens?${PREVIEW}`);
    const deleted = await signedRequest(first, "POST", `/identities?${PREVIEW}`, { body: { createTokenWithScopes: ["chat"] } });
    await signedRequest(first, "DELETE", `/identities/${encodeURIComponent(deleted.json.identity.id)}?${PREVIEW}`);
    const connectionString = first.connectionString;
    await stop(first);

    const second = await start(dir);
    expect(second.connectionString.split(";accesskey=")[1]).toBe(connectionString.split(";accesskey=")[1]);
    const again = await signedRequest(second, "POST", `/identities?${PREVIEW}`, { body: { customId: "kept" } });
    expect(again.json.identity.id).toBe(keptId);
    const got = await signedRequest(second, "GET", `/identities/${encodeURIComponent(keptId)}?${PREVIEW}`);
    expect(got.json).toMatchObject({ id: keptId, customId: "kept", lastTokenIssuedAt: kept.json.identity.lastTokenIssuedAt });
    expect(await verifyToken(second, kept.json.accessToken.token)).toMatchObject({ valid: true });
    expect(await verifyToken(second, revoked.json.accessToken.token)).toMatchObject({ valid: false, reason: "revoked" });
    expect(await verifyToken(second, deleted.json.accessToken.token)).toMatchObject({ valid: false, reason: "identity-deleted" });

    // A revocation after restart still beats every token issued before it (issue order survives).
    const newer = await signedRequest(second, "POST", `/identities/${encodeURIComponent(keptId)}/:issueAccessToken?${PREVIEW}`, { body: { scopes: ["chat"] } });
    await signedRequest(second, "POST", `/identities/${encodeURIComponent(keptId)}/:revokeAccessTokens?${PREVIEW}`);
    expect(await verifyToken(second, newer.json.token)).toMatchObject({ reason: "revoked" });
    expect(await verifyToken(second, kept.json.accessToken.token)).toMatchObject({ reason: "revoked" });
  });

  it("writes an append-only journal of JSON lines, durable before the response", async () => {
    const dir = tempDir();
    const e = await start(dir);
    const created = await signedRequest(e, "POST", `/identities?${PREVIEW}`, { body: { customId: "durable" } });
    const lines = readFileSync(path.join(dir, JOURNAL), "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1])).toEqual({ t: "create", id: created.json.identity.id, customId: "durable" });
  });

  it("drops a torn last line (never acknowledged) and keeps everything before it", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const created = await signedRequest(first, "POST", `/identities?${PREVIEW}`, { body: { customId: "before-crash" } });
    await stop(first);
    appendFileSync(path.join(dir, JOURNAL), '{"t":"create","id":"8:acs:tor');
    const second = await start(dir);
    const again = await signedRequest(second, "POST", `/identities?${PREVIEW}`, { body: { customId: "before-crash" } });
    expect(again.json.identity.id).toBe(created.json.identity.id);
    expect(readFileSync(path.join(dir, JOURNAL), "utf8").endsWith("\n")).toBe(true);
  });

  it("refuses a journal with a corrupt line in the middle, naming the file", async () => {
    const dir = tempDir();
    const first = await start(dir);
    await signedRequest(first, "POST", `/identities?${PREVIEW}`);
    await stop(first);
    appendFileSync(path.join(dir, JOURNAL), "garbage\n");
    await expect(start(dir)).rejects.toThrow(/identity-emulator\.journal is corrupt at line 3/);
    // and the file was left alone: no silent reset
    expect(readFileSync(path.join(dir, JOURNAL), "utf8")).toContain("garbage\n");
  });

  it("refuses a foreign journal file and a foreign directory", async () => {
    const foreign = tempDir();
    writeFileSync(path.join(foreign, JOURNAL), '{"hello":"world"}\n');
    await expect(start(foreign)).rejects.toThrow(/not a communication-identity emulator journal/);
    const busy = tempDir();
    writeFileSync(path.join(busy, "notes.txt"), "mine");
    await expect(start(busy)).rejects.toThrow(/not empty/);
  });

  it("refuses a different access key for an existing location without printing either key", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const key = accessKeyOf(first.connectionString);
    await stop(first);
    const otherKey = Buffer.alloc(32, 7).toString("base64");
    const error = await start(dir, otherKey).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/different access key/);
    expect((error as Error).message).not.toContain(key);
    expect((error as Error).message).not.toContain(otherKey);
  });
});
