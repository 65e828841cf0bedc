/**
 * Exchange a Teams user's Entra ID access token for a Communication Services token (Teams interop).
 * Needs COMMUNICATION_TEAMS_USER_AAD_TOKEN, COMMUNICATION_TEAMS_CLIENT_ID, COMMUNICATION_TEAMS_USER_OBJECT_ID
 * against a real resource; offline, the emulator makes a test Entra token.
 */
import { createSampleClient, describeToken } from "./env.js";

const { client, emulator, close } = await createSampleClient();
try {
  let clientId = process.env.COMMUNICATION_TEAMS_CLIENT_ID;
  let userObjectId = process.env.COMMUNICATION_TEAMS_USER_OBJECT_ID;
  let teamsUserAadToken = process.env.COMMUNICATION_TEAMS_USER_AAD_TOKEN;
  if (emulator) {
    clientId = "2c3e1e83-8fd7-4615-ad2b-b8c1229845ac";
    userObjectId = "32c0a5db-05ec-78ea-51ab-3f06b329397e";
    teamsUserAadToken = emulator.createTeamsUserAadToken({ appId: clientId, userObjectId });
  }
  if (!clientId || !userObjectId || !teamsUserAadToken) {
    console.log("Skipped: set COMMUNICATION_TEAMS_USER_AAD_TOKEN, COMMUNICATION_TEAMS_CLIENT_ID and COMMUNICATION_TEAMS_USER_OBJECT_ID.");
  } else {
    const accessToken = await client.getTokenForTeamsUser({ teamsUserAadToken, clientId, userObjectId });
    console.log(`Token for Teams user ${userObjectId}: ${describeToken(accessToken)}`);
  }
} finally {
  await close();
}
