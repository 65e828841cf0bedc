/**
 * Grant an Entra ID user access to the resource, then exchange their Entra ID token for a Communication Services
 * token through communication-common's credential. Against Azure the resource must be allow-listed for Entra ID
 * access (api-version 2025-03-02-preview) and the exchange needs a real token of the user (COMMUNICATION_ENTRA_USER_TOKEN).
 */
import { AzureCommunicationTokenCredential } from "@azure/communication-common";
import type { TokenCredential } from "@azure/core-auth";
import { CommunicationAccessClient } from "communication-identity";
import { loadResourceOverTrustedHttps } from "./env.js";

const resource = await loadResourceOverTrustedHttps();
try {
  const tenantId = process.env.COMMUNICATION_ACCESS_TENANT_ID ?? "3f14cf17-84d5-42c2-8689-a6365c474b4e";
  const objectId = process.env.COMMUNICATION_ACCESS_OBJECT_ID ?? "350adb03-7be9-4846-b078-35adb0d0e119";
  const appId = process.env.COMMUNICATION_ACCESS_CLIENT_ID ?? "07474a86-625a-452f-977b-db4e13f21260";
  const access = new CommunicationAccessClient(resource.connectionString!, resource.clientOptions);
  const { assignment } = await access.upsertEntraAssignment(objectId, { tenantId, principalType: "user", clientIds: [appId] });
  console.log(`Entra ID access for ${assignment.principalType} ${assignment.objectId}, clients ${assignment.clientIds.join(", ")}.`);

  const userToken = process.env.COMMUNICATION_ENTRA_USER_TOKEN;
  const tokenCredential: TokenCredential | undefined = resource.emulator
    ? resource.emulator.entraTokenCredential({ tenantId, objectId, appId })
    : userToken ? { getToken: async () => ({ token: userToken, expiresOnTimestamp: Date.now() + 60_000 }) } : undefined;
  if (tokenCredential) {
    const scopes = ["https://communication.azure.com/clients/VoIP"];
    const credential = new AzureCommunicationTokenCredential({ resourceEndpoint: resource.endpoint, tokenCredential, scopes });
    const { expiresOnTimestamp } = await credential.getToken();
    console.log(`Communication Services token for ${objectId}, expires ${new Date(expiresOnTimestamp).toISOString()}.`);
    credential.dispose();
  } else {
    console.log("No COMMUNICATION_ENTRA_USER_TOKEN: the exchange needs a real Entra ID token of the user.");
  }
  await access.deleteEntraAssignment(objectId);
} finally {
  await resource.close();
}
