import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

async function start(location?: string, accessKey?: string, compactJournalAfterBytes?: number): Promise<IdentityEmulator> {
  const e = await startIdentityEmulator({ port: 0, location, accessKey, compactJournalAfterBytes });
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
    expect(JSON.parse(lines[1])).toEqual({ t: "create", id: created.json.identity.id, customId: "durable", at: expect.any(Number) });
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

const journalRecords = (dir: string) =>
  readFileSync(path.join(dir, JOURNAL), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe("journal compaction", () => {
  const TENANT = "0c4f3a51-8a7a-4d0b-9d0e-7c8b0a3f1e22";
  const OBJECT = "6e1c7f0a-2b8d-4c3e-9f5a-1d2e3f4a5b6c";

  /** A history with every kind of change: creates, tokens, a revoke, a delete, an assignment. */
  async function history(e: IdentityEmulator) {
    const kept = await signedRequest(e, "POST", `/identities?${PREVIEW}`, { body: { customId: "kept", createTokenWithScopes: ["chat"] } });
    const revoked = await signedRequest(e, "POST", `/identities?${PREVIEW}`, { body: { createTokenWithScopes: ["chat"] } });
    await signedRequest(e, "POST", `/identities/${encodeURIComponent(revoked.json.identity.id)}/:revokeAccessTokens?${PREVIEW}`);
    const deleted = await signedRequest(e, "POST", `/identities?${PREVIEW}`, { body: { customId: "gone", createTokenWithScopes: ["chat"] } });
    await signedRequest(e, "DELETE", `/identities/${encodeURIComponent(deleted.json.identity.id)}?${PREVIEW}`);
    const assignment = await signedRequest(e, "PUT", `/access/teamsExtension/tenants/${TENANT}/assignments/${OBJECT}?api-version=2025-06-30`, {
      body: { principalType: "user" },
    });
    expect(assignment.status).toBe(201);
    return { kept, revoked, deleted };
  }

  it("rewrites the journal at start as the live state, which reads back the same", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const { kept, revoked, deleted } = await history(first);
    const identities = first.identities();
    const assignments = first.assignments();
    await stop(first);
    const before = journalRecords(dir);
    expect(before.map((r) => r.t)).toContain("revoke");

    const second = await start(dir, undefined, 1);
    const after = journalRecords(dir);
    expect(after[0]).toMatchObject({ format: "communication-identity-emulator/journal", version: 2 });
    expect(new Set(after.slice(1).map((r) => r.t))).toEqual(new Set(["identity", "sequence", "assignment"]));
    expect(after.length).toBeLessThan(before.length);
    expect(second.identities()).toEqual(identities);
    expect(second.assignments()).toEqual(assignments);
    expect(await verifyToken(second, kept.json.accessToken.token)).toMatchObject({ valid: true });
    expect(await verifyToken(second, revoked.json.accessToken.token)).toMatchObject({ valid: false, reason: "revoked" });
    expect(await verifyToken(second, deleted.json.accessToken.token)).toMatchObject({ valid: false, reason: "identity-deleted" });
    // The customId still maps to its identity, a deleted one's customId is free again, and issue order survives.
    expect((await signedRequest(second, "POST", `/identities?${PREVIEW}`, { body: { customId: "kept" } })).json.identity.id).toBe(kept.json.identity.id);
    expect((await signedRequest(second, "POST", `/identities?${PREVIEW}`, { body: { customId: "gone" } })).json.identity.id).not.toBe(deleted.json.identity.id);
    await signedRequest(second, "POST", `/identities/${encodeURIComponent(kept.json.identity.id)}/:revokeAccessTokens?${PREVIEW}`);
    expect(await verifyToken(second, kept.json.accessToken.token)).toMatchObject({ reason: "revoked" });
  });

  it("compacts while running once the journal has grown past the threshold, losing nothing", async () => {
    const dir = tempDir();
    const e = await start(dir, undefined, 2_000);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await signedRequest(e, "POST", `/identities?${PREVIEW}`, { body: { customId: `grow-${i}` } });
      ids.push(res.json.identity.id);
      if (i % 2 === 1) await signedRequest(e, "DELETE", `/identities/${encodeURIComponent(ids[i - 1])}?${PREVIEW}`);
    }
    const records = journalRecords(dir);
    expect(records.some((r) => r.t === "identity"), "a compaction happened").toBe(true);
    expect(records.filter((r) => r.t === "create").length, "not every create is still in the history").toBeLessThan(60);
    const listed = e.identities();
    await stop(e);
    const again = await start(dir);
    expect(again.identities()).toEqual(listed);
    for (let i = 1; i < 60; i += 2) {
      expect((await signedRequest(again, "GET", `/identities/${encodeURIComponent(ids[i])}?${PREVIEW}`)).json.customId).toBe(`grow-${i}`);
    }
    expect((await signedRequest(again, "GET", `/identities/${encodeURIComponent(ids[0])}?${PREVIEW}`)).status).toBe(404);
  });

  it("leaves a journal alone at start while its history is under the threshold", async () => {
    const dir = tempDir();
    const first = await start(dir);
    await history(first);
    await stop(first);
    const before = readFileSync(path.join(dir, JOURNAL), "utf8");
    await start(dir);
    expect(readFileSync(path.join(dir, JOURNAL), "utf8")).toBe(before);
  });

  it("ignores the temp file of a compaction killed before its rename, and removes it", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const created = await signedRequest(first, "POST", `/identities?${PREVIEW}`, { body: { customId: "before" } });
    await stop(first);
    writeFileSync(path.join(dir, `${JOURNAL}.compact.tmp`), '{"format":"communication-identity-emulator/journal","vers');
    const second = await start(dir);
    expect((await signedRequest(second, "POST", `/identities?${PREVIEW}`, { body: { customId: "before" } })).json.identity.id).toBe(created.json.identity.id);
    expect(existsSync(path.join(dir, `${JOURNAL}.compact.tmp`))).toBe(false);
  });

  it("reads a version 1 journal and rewrites it as version 2 when it compacts", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const created = await signedRequest(first, "POST", `/identities?${PREVIEW}`, { body: { customId: "old" } });
    // History the live state does not need: repeated revocations.
    for (let i = 0; i < 3; i++) await signedRequest(first, "POST", `/identities/${encodeURIComponent(created.json.identity.id)}/:revokeAccessTokens?${PREVIEW}`);
    await stop(first);
    const [header, ...rest] = readFileSync(path.join(dir, JOURNAL), "utf8").split("\n");
    writeFileSync(path.join(dir, JOURNAL), [JSON.stringify({ ...JSON.parse(header), version: 1 }), ...rest].join("\n"));
    const second = await start(dir, undefined, 1);
    expect((await signedRequest(second, "POST", `/identities?${PREVIEW}`, { body: { customId: "old" } })).json.identity.id).toBe(created.json.identity.id);
    expect(journalRecords(dir)[0].version).toBe(2);
  });

  it("refuses a record kind it does not know, naming the line", async () => {
    const dir = tempDir();
    await stop(await start(dir));
    appendFileSync(path.join(dir, JOURNAL), '{"t":"teleport","id":"x"}\n');
    await expect(start(dir)).rejects.toThrow(/corrupt at line 2: unexpected record kind "teleport"/);
  });
});

