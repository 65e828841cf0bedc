/** Issue a token with a custom lifetime: tokenExpiresInMinutes, 60 to 1440 (the service's default is 1440). */
import { createSampleClient, describeToken } from "./env.js";

const { client, close } = await createSampleClient();
try {
  const user = await client.createUser();
  const accessToken = await client.getToken(user, ["chat"], { tokenExpiresInMinutes: 60 });
  const minutes = Math.round((accessToken.expiresOn.getTime() - Date.now()) / 60_000);
  console.log(`One-hour token: ${describeToken(accessToken)}, about ${minutes} minutes left`);
} finally {
  await close();
}
