// The small browser app, our flavour: create a user with a token, then refresh the token.
// Identical to official.mjs except for the import specifier, so the bundles differ only by the library.
import { CommunicationIdentityClient } from "communication-identity";

export async function main(connectionString) {
  const client = new CommunicationIdentityClient(connectionString);
  const { user, token } = await client.createUserAndToken(["chat", "voip"]);
  const refreshed = await client.getToken(user, ["chat"]);
  return { user, token, refreshed };
}
