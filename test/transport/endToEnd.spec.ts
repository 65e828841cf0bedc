import { afterEach, describe, expect, it } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";

const emulators: IdentityEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
});

// The SDK client with no `httpClient` option runs on this transport; these check it end to end.
describe("the default transport under the SDK client and the emulator", () => {
  for (const https of [false, true]) {
    it(`creates a user and token, reads and revokes over ${https ? "https (tlsOptions.ca)" : "http"}`, async () => {
      const emulator = await startIdentityEmulator({ port: 0, https });
      emulators.push(emulator);
      const client = new CommunicationIdentityClient(emulator.connectionString, emulator.clientOptions());
      const { user, token } = await client.createUserAndToken(["chat"]);
      expect(user.communicationUserId).toMatch(/^8:acs:/);
      expect(token.length).toBeGreaterThan(20);
      const fresh = await client.getToken(user, ["voip"], { tokenExpiresInMinutes: 60 });
      expect(fresh.expiresOn).toBeInstanceOf(Date);
      await client.revokeTokens(user);
      await client.deleteUser(user);
    });
  }

  it("honours an abortSignal from the caller", async () => {
    const emulator = await startIdentityEmulator({ port: 0 });
    emulators.push(emulator);
    const client = new CommunicationIdentityClient(emulator.connectionString, emulator.clientOptions());
    const controller = new AbortController();
    controller.abort();
    await expect(client.createUser({ abortSignal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
  });
});
