/**
 * The client side of the load test, in its own process so it can measure its heap after forced GC.
 * Reads EMULATOR_CONNECTION_STRING; warms up, prints `{"phase":"warm","heapUsed":…}`, waits for the
 * stdin line `go`, runs the load and prints `{"phase":"done",…figures}`.
 */
import { createInterface } from "node:readline";
import { CommunicationIdentityClient, type CommunicationUserIdentifier } from "../../../src/index.js";
import { settledHeap } from "../../helpers/settledHeap.js";

const connectionString = process.env.EMULATOR_CONNECTION_STRING!;
const endpoint = /endpoint=([^;]+)/.exec(connectionString)![1];
const IN_FLIGHT = 64;
const client = new CommunicationIdentityClient(connectionString, { allowInsecureConnection: true });
const print = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

interface Tally {
  ops: number;
  failures: string[];
  createdIds: Set<string>;
  duplicateIds: number;
  tokens: number;
  invalidTokens: string[];
  peakInFlight: number;
}

let inFlight = 0;
async function op<T>(tally: Tally, call: () => Promise<T>): Promise<T> {
  inFlight += 1;
  tally.peakInFlight = Math.max(tally.peakInFlight, inFlight);
  try {
    return await call();
  } finally {
    inFlight -= 1;
    tally.ops += 1;
  }
}

function created(tally: Tally, user: CommunicationUserIdentifier): void {
  if (tally.createdIds.has(user.communicationUserId)) tally.duplicateIds += 1;
  tally.createdIds.add(user.communicationUserId);
}

async function verify(tally: Tally, token: string, user: CommunicationUserIdentifier): Promise<void> {
  tally.tokens += 1;
  const res = await fetch(new URL("_emulator/tokens:verify", endpoint), { method: "POST", body: JSON.stringify({ token }) });
  const verdict = (await res.json()) as { valid: boolean; identity?: string; reason?: string };
  if (!verdict.valid || verdict.identity !== user.communicationUserId) tally.invalidTokens.push(verdict.reason ?? "wrong identity");
}

/** One unit = four client operations; three kinds rotate so every method is in the mix. */
async function unit(tally: Tally, index: number, tag: string): Promise<void> {
  switch (index % 3) {
    case 0: {
      const user = await op(tally, () => client.createUser());
      created(tally, user);
      const { token } = await op(tally, () => client.getToken(user, ["chat", "voip"]));
      await verify(tally, token, user);
      await op(tally, () => client.getUser(user));
      await op(tally, () => client.deleteUser(user));
      return;
    }
    case 1: {
      const { user, token } = await op(tally, () => client.createUserAndToken(["voip"], { tokenExpiresInMinutes: 60 }));
      created(tally, user);
      await verify(tally, token, user);
      await op(tally, () => client.revokeTokens(user));
      await op(tally, () => client.getUserDetail(user));
      await op(tally, () => client.deleteUser(user));
      return;
    }
    default: {
      const customId = `${tag}-${index}`;
      const user = await op(tally, () => client.createUser({ customId }));
      created(tally, user);
      const again = await op(tally, () => client.createUser({ customId }));
      if (again.communicationUserId !== user.communicationUserId) tally.failures.push(`customId ${customId} gave two ids`);
      const { token } = await op(tally, () => client.getToken(user, ["chat"], { tokenExpiresInMinutes: 120 }));
      await verify(tally, token, user);
      await op(tally, () => client.deleteUser(user));
    }
  }
}

async function runMix(operations: number, tag: string): Promise<Tally & { ms: number }> {
  const tally: Tally = { ops: 0, failures: [], createdIds: new Set(), duplicateIds: 0, tokens: 0, invalidTokens: [], peakInFlight: 0 };
  const units = operations / 4;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < units) {
      const index = next++;
      await unit(tally, index, tag).catch((error: unknown) => tally.failures.push(`${(error as Error).name}: ${(error as Error).message}`));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { ...tally, ms: performance.now() - started };
}

/** 200 creates with one customId, all in flight at once. */
async function raceOneCustomId(tag: string): Promise<{ distinctIds: number; failures: number }> {
  const customId = `${tag}-race`;
  const settled = await Promise.allSettled(Array.from({ length: 200 }, () => client.createUser({ customId })));
  const ids = new Set(settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.communicationUserId] : [])));
  const failures = settled.filter((s) => s.status === "rejected").length;
  for (const communicationUserId of ids) await client.deleteUser({ communicationUserId });
  return { distinctIds: ids.size, failures };
}

const warm = await runMix(Number(process.env.WARM_OPS ?? 2000), "warm");
await raceOneCustomId("warm");
if (warm.failures.length > 0) throw new Error(`warm-up failed: ${warm.failures.slice(0, 3).join("; ")}`);
print({ phase: "warm", heapUsed: await settledHeap() });

createInterface({ input: process.stdin }).once("line", async () => {
  const load = await runMix(2000, "load");
  const race = await raceOneCustomId("load");
  const summary = {
    phase: "done",
    ops: load.ops,
    ms: Math.round(load.ms),
    peakInFlight: load.peakInFlight,
    failures: load.failures.slice(0, 10),
    failureCount: load.failures.length,
    createdIds: load.createdIds.size,
    duplicateIds: load.duplicateIds,
    tokens: load.tokens,
    invalidTokens: load.invalidTokens.slice(0, 10),
    race,
  };
  load.createdIds.clear();
  print({ ...summary, heapUsed: await settledHeap() });
  process.exit(0);
});
