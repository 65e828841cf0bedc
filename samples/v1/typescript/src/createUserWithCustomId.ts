/**
 * Create a user tagged with your own customId, then read it back with getUser.
 * Creating again with the same customId returns the same user (api-version 2025-03-02-preview, the default).
 */
import { createSampleClient } from "./env.js";

const { client, close } = await createSampleClient();
try {
  const customId = `sample-user-${Date.now()}@contoso.com`;
  const user = await client.createUser({ customId });
  const again = await client.createUser({ customId });
  console.log(`Created ${user.communicationUserId}; same customId gives the same user: ${again.communicationUserId === user.communicationUserId}`);

  const detail = await client.getUser(user);
  console.log(`getUser: customId ${detail.customId}, last token issued ${detail.lastTokenIssuedAt?.toISOString() ?? "never"}`);
} finally {
  await close();
}
