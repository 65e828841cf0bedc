/**
 * An identity emulator in its own process, for load and durability tests. Prints
 * `{"ready":true,"endpoint":…,"connectionString":…,"pid":…}` once listening; on the stdin line `heap` it
 * collects garbage (needs --expose-gc) and prints `{"heapUsed":…}`. State lives in $EMULATOR_LOCATION when set.
 * $EMULATOR_COMPACT_BYTES sets `compactJournalAfterBytes`; with $EMULATOR_KILL_AT_COMPACTION=n the process
 * SIGKILLs itself as soon as it sees its n-th compaction begin (the compaction's temp file appear), so a
 * test can kill it in the middle of one.
 */
import { existsSync, watch } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { startIdentityEmulator } from "../../../src/index.js";
import { COMPACTION_FILE } from "../../../src/journal.js";
import { settledHeap } from "../../../../test/helpers/settledHeap.js";

const location = process.env.EMULATOR_LOCATION || undefined;
const compactJournalAfterBytes = Number(process.env.EMULATOR_COMPACT_BYTES) || undefined;
const emulator = await startIdentityEmulator({ port: 0, location, compactJournalAfterBytes });
const print = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

const killAt = Number(process.env.EMULATOR_KILL_AT_COMPACTION);
if (location && killAt > 0) {
  let seen = 0;
  watch(location, (_event, name) => {
    // Only while the temp file exists: its rename at the end of a compaction also reports its name.
    if (name === COMPACTION_FILE && existsSync(path.join(location, COMPACTION_FILE)) && ++seen >= killAt) process.kill(process.pid, "SIGKILL");
  });
}

createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line === "heap") print({ heapUsed: await settledHeap() });
  if (line === "close") {
    await emulator.close();
    print({ closed: true });
    process.exit(0);
  }
});
print({ ready: true, endpoint: emulator.endpoint, connectionString: emulator.connectionString, pid: process.pid });
