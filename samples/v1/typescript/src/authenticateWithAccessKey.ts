/**
 * Authenticate with the resource's endpoint and an AzureKeyCredential holding its access key.
 * Needs COMMUNICATION_ENDPOINT + COMMUNICATION_ACCESS_KEY (or COMMUNICATION_CONNECTION_STRING); offline: the emulator.
 */
import { loadResource } from "./env.js";
import { AzureKeyCredential } from "@azure/core-auth";
import { CommunicationIdentityClient } from "communication-identity";

const resource = await loadResource("accessKey");
try {
  const credential = new AzureKeyCredential(resource.accessKey!);
  const client = new CommunicationIdentityClient(resource.endpoint, credential, resource.clientOptions);
  const user = await client.createUser();
  console.log(`Authenticated with an AzureKeyCredential; created ${user.communicationUserId}`);
} finally {
  await resource.close();
}
