/** Revoke every token issued to a user so far (tokens issued afterwards stay valid). */
import { createSampleClient, describeToken } from "./env.js";

const { client, close } = await createSampleClient();
try {
  const { user, ...accessToken } = await client.createUserAndToken(["chat"]);
  await client.revokeTokens(user);
  console.log(`Revoked the tokens of ${user.communicationUserId}, including ${describeToken(accessToken)}`);
} finally {
  await close();
}
