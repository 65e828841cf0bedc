/** Create a user and a token in one request, with the default lifetime and with a custom one. */
import { createSampleClient, describeToken } from "./env.js";

const { client, close } = await createSampleClient();
try {
  const { user, ...accessToken } = await client.createUserAndToken(["chat", "voip"]);
  console.log(`Created ${user.communicationUserId} with ${describeToken(accessToken)}`);

  const short = await client.createUserAndToken(["voip"], { tokenExpiresInMinutes: 60 });
  console.log(`Created ${short.user.communicationUserId} with a one-hour ${describeToken(short)}`);
} finally {
  await close();
}
