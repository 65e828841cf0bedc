/** Delete a user: its tokens are revoked and it cannot get new ones. */
import { createSampleClient } from "./env.js";
import { isRestError } from "@azure/core-rest-pipeline";

const { client, close } = await createSampleClient();
try {
  const user = await client.createUser();
  await client.deleteUser(user);
  console.log(`Deleted ${user.communicationUserId}`);
  try {
    await client.getToken(user, ["chat"]);
  } catch (error) {
    if (!isRestError(error)) throw error;
    console.log(`A token for the deleted user is refused: ${error.statusCode} ${error.code}`);
  }
} finally {
  await close();
}
