/** Create a user (an identity of your Communication Services resource). */
import { createSampleClient } from "./env.js";

const { client, close } = await createSampleClient();
try {
  const user = await client.createUser();
  console.log(`Created user ${user.communicationUserId}`);
} finally {
  await close();
}
