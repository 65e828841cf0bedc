import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { JOURNAL_FILE } from "../../src/journal.js";
import { CommunicationIdentityClient } from "../../../src/index.js";
import { accessKeyOf } from "../../../test/helpers/emulatorSigner.js";
import { reportFigure } from "../../../test/helpers/figures.js";
import { startTsxChild, type TsxChild } from "../../../test/helpers/tsxChild.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const location = mkdtempSync(path.join(tmpdir(), "reliability-durability-"));
const children: TsxChild[] = [];
afterAll(() => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGKILL");
  rmSync(location, { recursive: true, force: true });
});

const CYCLES = 3;
const WRITERS = 8;

async function startEmulator(): Promise<{ child: TsxChild; client: CommunicationIdentityClient; connectionString: string }> {
  const child = startTsxChild(path.join(here, "children/emulatorProcess.ts"), { env: { EMULATOR_LOCATION: location } });
  children.push(child);
  // A store that does not open cleanly never prints ready: next() then fails with the child's stderr.
  const { connectionString } = await child.next<{ connectionString: string }>((m) => m.ready === true, 20_000);
  const client = new CommunicationIdentityClient(connectionString, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
  return { child, client, connectionString };
}

interface Acknowledged {
  id: string;
  customId?: string;
  cycle: number;
}

describe("durability under SIGKILL", () => {
  it(`keeps every acknowledged create across ${CYCLES} kills at random moments, and reopens cleanly`, { timeout: 90_000 }, async () => {
    const acknowledged: Acknowledged[] = [];
    const killDelays: number[] = [];
    let connectionStringOfResource: string | undefined;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const { child, client, connectionString } = await startEmulator();
      // The resource (its access key) survives restarts along with its identities.
      const key = accessKeyOf(connectionString);
      if (connectionStringOfResource) expect(key).toBe(accessKeyOf(connectionStringOfResource));
      connectionStringOfResource = connectionString;

      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          try {
            if (i % 3 === 0) {
              const customId = `c${cycle}-w${w}-${i}`;
              const user = await client.createUser({ customId });
              acknowledged.push({ id: user.communicationUserId, customId, cycle });
            } else if (i % 3 === 1) {
              const user = await client.createUser();
              acknowledged.push({ id: user.communicationUserId, cycle });
            } else {
              const { user } = await client.createUserAndToken(["chat"]);
              acknowledged.push({ id: user.communicationUserId, cycle });
            }
          } catch {
            return; // the process died under this request: it was never acknowledged
          }
        }
      };
      const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      // The random moment starts counting once this cycle's first create was acknowledged.
      while (!acknowledged.some((record) => record.cycle === cycle)) await new Promise((resolve) => setTimeout(resolve, 5));
      const delay = 50 + Math.floor(Math.random() * 500);
      killDelays.push(delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.process.kill("SIGKILL");
      expect(await child.exited).toBe("SIGKILL");
      stop = true;
      await writers;
    }

    // Restart once more: every create that got a 201, in any cycle, is there.
    const { child, client } = await startEmulator();
    const missing: string[] = [];
    const wrongCustomId: string[] = [];
    let nextIndex = 0;
    const checker = async () => {
      while (nextIndex < acknowledged.length) {
        const record = acknowledged[nextIndex++];
        try {
          const detail = await client.getUser({ communicationUserId: record.id });
          if (detail.customId !== record.customId) wrongCustomId.push(record.id);
        } catch (error) {
          missing.push(`${record.id} (cycle ${record.cycle}): ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, checker));
    // And a customId created before a kill still maps to the same identity.
    const withCustomId = acknowledged.filter((record) => record.customId !== undefined).slice(-5);
    for (const record of withCustomId) expect((await client.createUser({ customId: record.customId })).communicationUserId).toBe(record.id);
    child.send("close");
    await child.exited;

    const context = `kill delays ${killDelays.join(", ")} ms, ${acknowledged.length} acknowledged creates`;
    expect(missing, context).toEqual([]);
    expect(wrongCustomId, context).toEqual([]);
    expect(new Set(acknowledged.map((r) => r.id)).size, context).toBe(acknowledged.length);
    for (let cycle = 0; cycle < CYCLES; cycle++) expect(acknowledged.filter((r) => r.cycle === cycle).length, context).toBeGreaterThan(0);
    // The journal holds whole lines only after the clean close: no torn or duplicated create.
    const lines = readFileSync(path.join(location, JOURNAL_FILE), "utf8").split("\n");
    expect(lines.at(-1)).toBe("");
    const creates = lines.slice(1, -1).map((line) => JSON.parse(line)).filter((r) => r.t === "create");
    expect(new Set(creates.map((r) => r.id)).size).toBe(creates.length);
    reportFigure("durability", { killDelays, acknowledged: acknowledged.length, journaledCreates: creates.length });
  });
});
