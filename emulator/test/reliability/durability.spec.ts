import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RestError } from "@azure/core-rest-pipeline";
import { afterAll, describe, expect, it } from "vitest";
import { COMPACTION_FILE, JOURNAL_FILE } from "../../src/journal.js";
import { CommunicationIdentityClient } from "../../../src/index.js";
import { accessKeyOf } from "../../../test/helpers/emulatorSigner.js";
import { reportFigure } from "../../../test/helpers/figures.js";
import { startTsxChild, type TsxChild } from "../../../test/helpers/tsxChild.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const locations: string[] = [];
const children: TsxChild[] = [];
afterAll(() => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGKILL");
  for (const location of locations) rmSync(location, { recursive: true, force: true });
});

const WRITERS = 8;

function newLocation(): string {
  const location = mkdtempSync(path.join(tmpdir(), "reliability-durability-"));
  locations.push(location);
  return location;
}

async function startEmulator(
  location: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: TsxChild; client: CommunicationIdentityClient; connectionString: string }> {
  const child = startTsxChild(path.join(here, "children/emulatorProcess.ts"), { env: { EMULATOR_LOCATION: location, ...env } });
  children.push(child);
  // A store that does not open cleanly never prints ready: next() then fails with the child's stderr.
  const { connectionString } = await child.next<{ connectionString: string }>((m) => m.ready === true, 20_000);
  const client = new CommunicationIdentityClient(connectionString, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
  return { child, client, connectionString };
}

/** What the emulator acknowledged (a 2xx answer): each must survive every kill. */
interface Acknowledged {
  creates: Array<{ id: string; customId?: string; cycle: number }>;
  /** Ids whose delete was acknowledged: they must stay gone. */
  deletes: Set<string>;
  /** Ids whose delete died with the process: either outcome is right. */
  maybeDeleted: Set<string>;
}

/**
 * Eight writers create users (with and without customId, with a token) and delete some of them,
 * until the emulator process dies under them; `kill` decides how and when it dies.
 */
async function writeUntilKilled(
  cycle: number,
  client: CommunicationIdentityClient,
  acknowledged: Acknowledged,
  kill: () => Promise<void>,
  { jitter = false } = {},
): Promise<void> {
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      // Writers out of step: requests then also arrive while a batch is being written, not only between batches.
      if (jitter) await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
      try {
        if (i % 4 === 0) {
          const customId = `c${cycle}-w${w}-${i}`;
          const user = await client.createUser({ customId });
          acknowledged.creates.push({ id: user.communicationUserId, customId, cycle });
        } else if (i % 4 === 1) {
          const user = await client.createUser();
          acknowledged.creates.push({ id: user.communicationUserId, cycle });
        } else if (i % 4 === 2) {
          const { user } = await client.createUserAndToken(["chat"]);
          acknowledged.creates.push({ id: user.communicationUserId, cycle });
        } else {
          // Delete one of this cycle's own earlier creates (a create it saw acknowledged).
          const victim = acknowledged.creates.find(
            (record) => record.cycle === cycle && record.customId === undefined && !acknowledged.deletes.has(record.id) && !acknowledged.maybeDeleted.has(record.id),
          );
          if (!victim) continue;
          acknowledged.maybeDeleted.add(victim.id); // claimed before the call, so no other writer picks it
          await client.deleteUser({ communicationUserId: victim.id });
          acknowledged.maybeDeleted.delete(victim.id);
          acknowledged.deletes.add(victim.id);
        }
      } catch {
        return; // the process died under this request: it was never acknowledged
      }
    }
  };
  const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  await kill();
  stop = true;
  await writers;
}

/** Restarts on `location` and reads back every acknowledged write; returns what is wrong (nothing, hopefully). */
async function checkAfterRestart(location: string, acknowledged: Acknowledged, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { child, client } = await startEmulator(location, env);
  const problems: string[] = [];
  let nextIndex = 0;
  const checker = async () => {
    while (nextIndex < acknowledged.creates.length) {
      const record = acknowledged.creates[nextIndex++];
      if (acknowledged.maybeDeleted.has(record.id)) continue;
      const deleted = acknowledged.deletes.has(record.id);
      try {
        const detail = await client.getUser({ communicationUserId: record.id });
        if (deleted) problems.push(`${record.id} (cycle ${record.cycle}): deleted, but it is back`);
        else if (detail.customId !== record.customId) problems.push(`${record.id} (cycle ${record.cycle}): customId ${detail.customId}`);
      } catch (error) {
        const gone = error instanceof RestError && error.statusCode === 404;
        if (!deleted || !gone) problems.push(`${record.id} (cycle ${record.cycle}): ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, checker));
  // A customId created before a kill still maps to the same identity.
  for (const record of acknowledged.creates.filter((r) => r.customId !== undefined).slice(-5)) {
    const again = (await client.createUser({ customId: record.customId })).communicationUserId;
    if (again !== record.id) problems.push(`customId ${record.customId} now maps to ${again}, not ${record.id}`);
  }
  child.send("close");
  await child.exited;
  return problems;
}

/**
 * The ids the journal leaves live: created (as `create` records, or as live `identity` records of a
 * compaction) and not deleted by a later `delete` record. Records appended after the last compaction
 * (a start compacts only past its threshold) may create and then delete an identity.
 */
function journaledIds(location: string): string[] {
  const lines = readFileSync(path.join(location, JOURNAL_FILE), "utf8").split("\n");
  expect(lines.at(-1), "the journal ends with a whole line").toBe("");
  const records = lines.slice(1, -1).map((line) => JSON.parse(line));
  const live: Array<{ id: string; index: number }> = [];
  const deletedAt = new Map<string, number>();
  records.forEach((r, index) => {
    if (r.t === "create" || (r.t === "identity" && r.deleted !== true)) live.push({ id: r.id, index });
    else if (r.t === "delete") deletedAt.set(r.id, index);
  });
  return live.filter(({ id, index }) => !((deletedAt.get(id) ?? -1) > index)).map(({ id }) => id);
}

describe("durability under SIGKILL", () => {
  it("keeps every acknowledged create and delete across 3 kills at random moments, and reopens cleanly", { timeout: 90_000 }, async () => {
    const location = newLocation();
    const acknowledged: Acknowledged = { creates: [], deletes: new Set(), maybeDeleted: new Set() };
    const killDelays: number[] = [];
    let connectionStringOfResource: string | undefined;

    for (let cycle = 0; cycle < 3; cycle++) {
      const { child, client, connectionString } = await startEmulator(location);
      // The resource (its access key) survives restarts along with its identities.
      if (connectionStringOfResource) expect(accessKeyOf(connectionString)).toBe(accessKeyOf(connectionStringOfResource));
      connectionStringOfResource = connectionString;
      await writeUntilKilled(cycle, client, acknowledged, async () => {
        // The random moment starts counting once this cycle's first create was acknowledged.
        while (!acknowledged.creates.some((record) => record.cycle === cycle)) await new Promise((resolve) => setTimeout(resolve, 5));
        const delay = 50 + Math.floor(Math.random() * 500);
        killDelays.push(delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
        child.process.kill("SIGKILL");
        expect(await child.exited).toBe("SIGKILL");
      });
    }

    const problems = await checkAfterRestart(location, acknowledged, {});
    const context = `kill delays ${killDelays.join(", ")} ms, ${acknowledged.creates.length} acknowledged creates, ${acknowledged.deletes.size} deletes`;
    expect(problems, context).toEqual([]);
    expect(new Set(acknowledged.creates.map((r) => r.id)).size, context).toBe(acknowledged.creates.length);
    for (let cycle = 0; cycle < 3; cycle++) expect(acknowledged.creates.filter((r) => r.cycle === cycle).length, context).toBeGreaterThan(0);
    // The journal holds whole lines only after the clean close: no torn or duplicated create.
    const ids = journaledIds(location);
    expect(new Set(ids).size).toBe(ids.length);
    reportFigure("durability", { killDelays, acknowledged: acknowledged.creates.length, deletes: acknowledged.deletes.size, journaledCreates: ids.length });
  });

  it("loses no acknowledged write when killed during journal compactions", { timeout: 120_000 }, async () => {
    // A compaction after every batch of appends (and at every start): most of the writes go through one.
    const location = newLocation();
    const env = { EMULATOR_COMPACT_BYTES: "1" };
    const acknowledged: Acknowledged = { creates: [], deletes: new Set(), maybeDeleted: new Set() };
    const kills: Array<{ cycle: number; how: string; midCompaction: boolean }> = [];
    const MIN_MID_COMPACTION_KILLS = 3;
    const MAX_CYCLES = 12;

    for (let cycle = 0; cycle < MAX_CYCLES && kills.filter((k) => k.midCompaction).length < MIN_MID_COMPACTION_KILLS; cycle++) {
      // Even cycles: the process kills itself the moment it sees its n-th compaction begin. Odd: killed from outside at a random moment.
      const selfKill = cycle % 2 === 0;
      const nth = 5 + Math.floor(Math.random() * 40);
      const { child, client } = await startEmulator(location, selfKill ? { ...env, EMULATOR_KILL_AT_COMPACTION: String(nth) } : env);
      await writeUntilKilled(cycle, client, acknowledged, async () => {
        if (selfKill) {
          expect(await child.exited).toBe("SIGKILL");
          return;
        }
        while (!acknowledged.creates.some((record) => record.cycle === cycle)) await new Promise((resolve) => setTimeout(resolve, 5));
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 400)));
        child.process.kill("SIGKILL");
        expect(await child.exited).toBe("SIGKILL");
      }, { jitter: true });
      // The temp file still there: the kill landed after the compaction began and before its rename.
      kills.push({ cycle, how: selfKill ? `self at compaction ${nth}` : "from outside", midCompaction: existsSync(path.join(location, COMPACTION_FILE)) });
    }

    const problems = await checkAfterRestart(location, acknowledged, env);
    const context = `${JSON.stringify(kills)}; ${acknowledged.creates.length} acknowledged creates, ${acknowledged.deletes.size} deletes`;
    expect(problems, context).toEqual([]);
    expect(kills.filter((k) => k.midCompaction).length, context).toBeGreaterThanOrEqual(MIN_MID_COMPACTION_KILLS);
    expect(acknowledged.creates.length, context).toBeGreaterThan(0);
    expect(acknowledged.deletes.size, context).toBeGreaterThan(0);
    // The compacted journal names each live identity once, and no identity whose delete was acknowledged.
    const ids = journaledIds(location);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => acknowledged.deletes.has(id))).toEqual([]);
    expect(existsSync(path.join(location, COMPACTION_FILE)), "a clean start removes a leftover compaction file").toBe(false);
    reportFigure("durability during compaction", { kills, acknowledged: acknowledged.creates.length, deletes: acknowledged.deletes.size });
  });
});
