import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenRequester, runWindow } from "../../bench/emulatorDriver.mjs";
import { createFloorClient, parseBenchConnectionString } from "../../bench/floorClient.mjs";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";

let emulator: IdentityEmulator;
let endpoint: string;
let accessKey: string;
let userId: string;

beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
  ({ endpoint, accessKey } = parseBenchConnectionString(emulator.connectionString));
  const client = createFloorClient({ endpoint, accessKey, apiVersion: "2025-03-02-preview" });
  userId = (await client.createUser()).communicationUserId;
  client.close();
});

afterAll(async () => {
  await emulator.close();
});

describe("the emulator's load driver", () => {
  it("keeps the requests in flight for the window and counts only verified token answers", async () => {
    const requester = createTokenRequester({ endpoint, accessKey, userId });
    try {
      const result = await runWindow(requester, 8, 300);
      expect(result.failures).toBe(0);
      expect(result.count).toBeGreaterThan(8);
      expect(result.wallMs).toBeGreaterThanOrEqual(300);
      expect(result.p99).toBeGreaterThan(0);
      expect(result.cpuMicros).toBeGreaterThan(0);
    } finally {
      requester.close();
    }
  });

  it("reuses a signature only within its second, and the emulator still checks every request", async () => {
    const wrongKey = Buffer.from("not-the-emulator-key").toString("base64");
    const forger = createTokenRequester({ endpoint, accessKey: wrongKey, userId });
    const requester = createTokenRequester({ endpoint, accessKey, userId });
    try {
      // Two sends in the same second share one signature: both verified, both refused with the wrong key.
      expect(await Promise.all([forger.send(), forger.send()])).toEqual([false, false]);
      expect(await Promise.all([requester.send(), requester.send()])).toEqual([true, true]);
      // After the second changes the driver signs again, so the emulator's date check keeps passing.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await requester.send()).toBe(true);
    } finally {
      forger.close();
      requester.close();
    }
  });
});
