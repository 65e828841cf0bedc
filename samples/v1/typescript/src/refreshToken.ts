/**
 * Refresh a user's token: issue another one for the same user before the first expires.
 * AzureCommunicationTokenCredential (@azure/communication-common) does this for chat and calling clients.
 */
import { createSampleClient, describeToken } from "./env.js";
import { AzureCommunicationTokenCredential } from "@azure/communication-common";

const { client, close } = await createSampleClient();
try {
  const { user, ...first } = await client.createUserAndToken(["chat"]);
  console.log(`First token:     ${describeToken(first)}`);

  const credential = new AzureCommunicationTokenCredential({
    token: first.token,
    // Called whenever the credential needs a fresh token; here it is issued for the same user.
    tokenRefresher: async () => (await client.getToken(user, ["chat"])).token,
  });
  const refreshed = await client.getToken(user, ["chat"]);
  console.log(`Refreshed token: ${describeToken(refreshed)}`);
  console.log(`Credential holds a token until ${new Date((await credential.getToken()).expiresOnTimestamp).toISOString()}`);
  credential.dispose();
} finally {
  await close();
}
