/**
 * Authenticate with Entra ID: any TokenCredential, e.g. DefaultAzureCredential from @azure/identity.
 * Needs COMMUNICATION_ENDPOINT and a signed-in identity (az login, or AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET);
 * offline: the emulator over https and its own test credential.
 */
import { loadResource } from "./env.js";
import { DefaultAzureCredential } from "@azure/identity";
import { CommunicationIdentityClient } from "communication-identity";

const resource = await loadResource("tokenCredential");
try {
  const credential = resource.emulatorCredential ?? new DefaultAzureCredential();
  const client = new CommunicationIdentityClient(resource.endpoint, credential, resource.clientOptions);
  const user = await client.createUser();
  console.log(`Authenticated with a TokenCredential; created ${user.communicationUserId}`);
} finally {
  await resource.close();
}
