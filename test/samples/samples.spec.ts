import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";
import { runSamples, type SampleResult } from "../../scripts/runSamples.js";
import { accessKeyOf } from "../helpers/emulatorSigner.js";
import { environmentWithoutResource, stageSamples, type StagedSamples } from "./stagedSamples.js";

// The samples run as a user runs them: node (or tsx) in the sample folder, importing the built package by name.
let staged: StagedSamples;
let emulator: IdentityEmulator;
let accessKey: string;

beforeAll(async () => {
  [staged, emulator] = await Promise.all([stageSamples(), startIdentityEmulator({ port: 0 })]);
  accessKey = accessKeyOf(emulator.connectionString);
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  staged?.remove();
});

const run = (names: string[], env: NodeJS.ProcessEnv) => runSamples(names.map((name) => staged.find(name)), { env, concurrency: 2 });
const idsIn = (output: string): string[] => [...(output.match(/8:acs:[\w-]+/g) ?? [])];

function expectUsedSeparateEmulator(result: SampleResult) {
  expect(result.status, result.output).toBe("passed");
  expect(result.output).toContain(`Using the resource at ${emulator.endpoint}`);
  expect(result.output).not.toContain("embedded emulator");
  // Ids carry the resource's GUID: the users were made by the emulator this test started.
  expect(idsIn(result.output).length).toBeGreaterThan(0);
  for (const id of idsIn(result.output)) expect(id.startsWith(`8:acs:${emulator.resourceId}_`)).toBe(true);
  expect(result.output).not.toContain(accessKey);
}

describe("samples against a resource given by COMMUNICATION_CONNECTION_STRING (a separately started emulator)", () => {
  it("use that resource, not the embedded emulator, and the users they create exist there", async () => {
    const env = environmentWithoutResource({ COMMUNICATION_CONNECTION_STRING: emulator.connectionString });
    const results = await run(["typescript/createUserWithCustomId.ts", "javascript/createUserAndToken.js", "javascript/deleteUser.js"], env);
    results.forEach(expectUsedSeparateEmulator);

    const [customId, createAndToken, deleted] = results.map((result) => result.output);
    const client = new CommunicationIdentityClient(emulator.connectionString, emulator.clientOptions());
    const [customUser] = idsIn(customId);
    const detail = await client.getUser({ communicationUserId: customUser });
    expect(customId).toContain(`customId ${detail.customId}`);
    expect(customId).toContain("same customId gives the same user: true");

    expect(idsIn(createAndToken)).toHaveLength(2);
    expect(createAndToken).toMatch(/with a one-hour eyJ\w{9}… \(expires /);

    const [deletedUser] = idsIn(deleted);
    await expect(client.getUser({ communicationUserId: deletedUser })).rejects.toMatchObject({ statusCode: 404 });
    expect(deleted).toContain("refused: 404 IdentityNotFound");
  });

  it("take the endpoint and key from COMMUNICATION_ENDPOINT + COMMUNICATION_ACCESS_KEY too", async () => {
    const env = environmentWithoutResource({ COMMUNICATION_ENDPOINT: emulator.endpoint, COMMUNICATION_ACCESS_KEY: accessKey });
    const [result] = await run(["typescript/authenticateWithAccessKey.ts"], env);
    expectUsedSeparateEmulator(result);
    expect(result.output).toContain("COMMUNICATION_ENDPOINT + COMMUNICATION_ACCESS_KEY");
  });

  it("skip, saying what is missing, when the sample's way to authenticate is not configured", async () => {
    const env = environmentWithoutResource({ COMMUNICATION_ENDPOINT: emulator.endpoint });
    const [result] = await run(["javascript/authenticateWithConnectionString.js"], env);
    expect(result.status).toBe("skipped");
    expect(result.summary).toMatch(/^Skipped: this sample needs an access key/);

    // Entra ID needs COMMUNICATION_ENDPOINT: a connection string alone does not say an identity is signed in.
    const withConnectionString = environmentWithoutResource({ COMMUNICATION_CONNECTION_STRING: emulator.connectionString });
    const [entra] = await run(["typescript/authenticateWithTokenCredential.ts"], withConnectionString);
    expect(entra.status, entra.output).toBe("skipped");
    expect(entra.summary).toMatch(/^Skipped: this sample needs COMMUNICATION_ENDPOINT/);
  });
});

describe("samples with no resource configured", () => {
  it("start the embedded emulator, say so in one line, and run the same code", async () => {
    const results = await run(["typescript/getTokenForTeamsUser.ts", "javascript/revokeTokens.js"], environmentWithoutResource());
    for (const result of results) {
      expect(result.status, result.output).toBe("passed");
      const notices = result.output.split("\n").filter((line) => line.includes("embedded emulator"));
      expect(notices).toEqual([expect.stringMatching(/^No COMMUNICATION_CONNECTION_STRING or COMMUNICATION_ENDPOINT set: using the embedded emulator at http:\/\/127\.0\.0\.1:\d+\/$/)]);
      expect(result.output).not.toContain(emulator.endpoint);
    }
    expect(results[0].summary).toMatch(/^Token for Teams user [\w-]+: eyJ\w{9}… \(expires \d{4}-/);
  });

  it("run the TokenCredential sample over https with the emulator's CA and credential", async () => {
    const [result] = await run(["javascript/authenticateWithTokenCredential.js"], environmentWithoutResource());
    expect(result.status, result.output).toBe("passed");
    expect(result.output).toMatch(/embedded emulator at https:\/\/127\.0\.0\.1:\d+\//);
    expect(result.summary).toMatch(/^Authenticated with a TokenCredential; created 8:acs:/);
  });
});
