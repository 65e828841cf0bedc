/** Issue an access token for an existing user, with the scopes it needs (chat, voip, ...). */
import { createSampleClient, describeToken } from "./env.js";

const { client, close } = await createSampleClient();
try {
  const user = await client.createUser();
  const accessToken = await client.getToken(user, ["chat", "voip"]);
  console.log(`Token for ${user.communicationUserId}: ${describeToken(accessToken)}`);
} finally {
  await close();
}
