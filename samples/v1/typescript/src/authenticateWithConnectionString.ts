/**
 * Authenticate with a connection string (Azure portal > your Communication Services resource > Keys).
 * Needs COMMUNICATION_CONNECTION_STRING (or COMMUNICATION_ENDPOINT + COMMUNICATION_ACCESS_KEY); offline: the emulator.
 */
import { loadResource } from "./env.js";
import { CommunicationIdentityClient } from "communication-identity";

const resource = await loadResource("connectionString");
try {
  const client = new CommunicationIdentityClient(resource.connectionString!, resource.clientOptions);
  const user = await client.createUser();
  console.log(`Authenticated with a connection string; created ${user.communicationUserId}`);
} finally {
  await resource.close();
}
