/**
 * An identity emulator in its own process, for load and durability tests. Prints
 * `{"ready":true,"endpoint":…,"connectionString":…}` once listening; on the stdin line `heap` it
 * collects garbage (needs --expose-gc) and prints `{"heapUsed":…}`. State lives in $EMULATOR_LOCATION when set.
 */
import { createInterface } from "node:readline";
import { startIdentityEmulator } from "../../../src/index.js";
import { settledHeap } from "../../../../test/helpers/settledHeap.js";

const emulator = await startIdentityEmulator({ port: 0, location: process.env.EMULATOR_LOCATION || undefined });
const print = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line === "heap") print({ heapUsed: await settledHeap() });
  if (line === "close") {
    await emulator.close();
    print({ closed: true });
    process.exit(0);
  }
});
print({ ready: true, endpoint: emulator.endpoint, connectionString: emulator.connectionString });

