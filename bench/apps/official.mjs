// The small browser app, official flavour: create a user with a token, then refresh the token.
// Identical to ours.mjs except for the import specifier, so the bundles differ only by the library.
import { CommunicationIdentityClient } from "@azure/communication-identity";

export async function main(connectionString) {
  const client = new CommunicationIdentityClient(connectionString);
  const { user, token } = await client.createUserAndToken(["chat", "voip"]);
  const refreshed = await client.getToken(user, ["chat"]);
  return { user, token, refreshed };
}
