/**
 * Node side of the browser tests: starts two emulators (http for HMAC, https for bearer), mints the tokens the browser cannot
 * mint, records how the Node client sees the error cases, and provides all of it to the browser.
 */
import { randomUUID } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";
import { CommunicationIdentityClient } from "../../src/index.js";
import { rejectionOf } from "../helpers/rejectionOf.js";
import { takeEmulatorTls } from "./emulatorTls.js";
import { errorCases, observeRestError, runErrorCase, slowUserId, type ErrorCase, type ObservedRestError } from "./providedContext.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tls = takeEmulatorTls();
  if (tls === undefined) throw new Error("globalSetup needs the certificate made by vitest.config.ts (browser project).");

  const emulators: IdentityEmulator[] = [];
  try {
    const http = await startIdentityEmulator({ port: 0, host: "127.0.0.1" });
    emulators.push(http);
    const https = await startIdentityEmulator({ port: 0, host: "127.0.0.1", cert: tls.cert, key: tls.key });
    emulators.push(https);

    const bearer = await https.tokenCredential().getToken("https://communication.azure.com//.default");
    if (bearer === null) throw new Error("The emulator's token credential returned no token.");
    const appId = randomUUID();
    const userObjectId = randomUUID();
    const teamsExpiry = new Date(Math.floor(Date.now() / 1000) * 1000 + 45 * 60_000);
    const teamsToken = http.createTeamsUserAadToken({ appId, userObjectId, expiresOn: teamsExpiry });

    // The abort tests need a request that is still in flight when they abort it.
    http.injectFaults([{ match: { method: "DELETE", path: `/identities/${encodeURIComponent(slowUserId)}` }, times: 20, fault: { delayMs: 5_000 } }]);

    project.provide("httpEndpoint", http.endpoint);
    project.provide("httpConnectionString", http.connectionString);
    project.provide("resourceId", http.resourceId);
    project.provide("httpsEndpoint", https.endpoint);
    project.provide("bearerToken", { token: bearer.token, expiresOnTimestamp: bearer.expiresOnTimestamp });
    project.provide("teams", { token: teamsToken, appId, userObjectId, expiresOnTimestamp: teamsExpiry.getTime() });
    project.provide("nodeErrors", await observeNodeErrors(http));
  } catch (error) {
    await Promise.all(emulators.map((emulator) => emulator.close()));
    throw error;
  }
  return async () => {
    await Promise.all(emulators.map((emulator) => emulator.close()));
  };
}

async function observeNodeErrors(emulator: IdentityEmulator): Promise<Record<ErrorCase, ObservedRestError>> {
  const client = new CommunicationIdentityClient(emulator.connectionString, { allowInsecureConnection: true });
  const observed = {} as Record<ErrorCase, ObservedRestError>;
  for (const errorCase of errorCases) {
    observed[errorCase] = observeRestError(await rejectionOf(runErrorCase(client, emulator.resourceId, errorCase)));
  }
  return observed;
}
