/**
 * Grant a Teams user Teams Phone extensibility access, then exchange their Entra ID token for a Communication
 * Services token through communication-common's credential. Against Azure the resource must be allow-listed for
 * Teams Phone extensibility and the exchange needs a real Entra ID token of the user (COMMUNICATION_ENTRA_USER_TOKEN).
 */
import { AzureCommunicationTokenCredential } from "@azure/communication-common";
import type { TokenCredential } from "@azure/core-auth";
import { CommunicationAccessClient } from "communication-identity";
import { loadResourceOverTrustedHttps } from "./env.js";

const resource = await loadResourceOverTrustedHttps();
try {
  const tenantId = process.env.COMMUNICATION_ACCESS_TENANT_ID ?? "c70d068c-2f32-484d-9455-73070cd5aadd";
  const objectId = process.env.COMMUNICATION_ACCESS_OBJECT_ID ?? "b27b64b9-39d2-44a3-869d-67700b74e805";
  const appId = process.env.COMMUNICATION_ACCESS_CLIENT_ID ?? "07474a86-625a-452f-977b-db4e13f21260";
  const access = new CommunicationAccessClient(resource.connectionString!, resource.clientOptions);
  const { created } = await access.upsertTeamsExtensionAssignment(tenantId, objectId, { principalType: "user", clientIds: [appId] });
  console.log(`Teams Phone access for ${objectId}: ${created ? "granted" : "already granted"}.`);

  const userToken = process.env.COMMUNICATION_ENTRA_USER_TOKEN;
  const tokenCredential: TokenCredential | undefined = resource.emulator
    ? resource.emulator.entraTokenCredential({ tenantId, objectId, appId })
    : userToken ? { getToken: async () => ({ token: userToken, expiresOnTimestamp: Date.now() + 60_000 }) } : undefined;
  if (tokenCredential) {
    const scopes = ["https://auth.msft.communication.azure.com/TeamsExtension.ManageCalls"];
    const credential = new AzureCommunicationTokenCredential({ resourceEndpoint: resource.endpoint, tokenCredential, scopes });
    const { expiresOnTimestamp } = await credential.getToken();
    console.log(`Teams Phone token for ${objectId}, expires ${new Date(expiresOnTimestamp).toISOString()}.`);
    credential.dispose();
  } else {
    console.log("No COMMUNICATION_ENTRA_USER_TOKEN: the exchange needs a real Entra ID token of the user.");
  }
  await access.deleteTeamsExtensionAssignment(tenantId, objectId);
} finally {
  await resource.close();
}
