// The small browser app using both clients: ours.mjs's identity calls plus one access-assignment call,
// so the bundle shows what the second client adds. Ours only (the official 1.3.1 has no access client).
import { CommunicationAccessClient, CommunicationIdentityClient } from "communication-identity";

export async function main(connectionString) {
  const client = new CommunicationIdentityClient(connectionString);
  const { user, token } = await client.createUserAndToken(["chat", "voip"]);
  const refreshed = await client.getToken(user, ["chat"]);
  const access = new CommunicationAccessClient(connectionString);
  const assignment = await access.getEntraAssignment("00000000-0000-0000-0000-000000000000");
  return { user, token, refreshed, assignment };
}
