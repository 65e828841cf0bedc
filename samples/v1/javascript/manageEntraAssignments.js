/**
 * Change several Entra ID access assignments in one request (a merge patch: null removes one), then list them,
 * item by item and page by page. Against Azure the resource must be allow-listed for Entra ID access.
 */
import { CommunicationAccessClient } from "communication-identity";
import { loadResource } from "./env.js";

const resource = await loadResource("connectionString");
try {
  const tenantId = process.env.COMMUNICATION_ACCESS_TENANT_ID ?? "3f14cf17-84d5-42c2-8689-a6365c474b4e";
  const appId = process.env.COMMUNICATION_ACCESS_CLIENT_ID ?? "07474a86-625a-452f-977b-db4e13f21260";
  const [userId, groupId] = ["350adb03-7be9-4846-b078-35adb0d0e119", "d7233e76-d261-46c6-94b3-39073103ae81"];
  const access = new CommunicationAccessClient(resource.connectionString, resource.clientOptions);

  await access.updateEntraAssignments({
    [userId]: { tenantId, principalType: "user", clientIds: [appId] },
    [groupId]: { tenantId, principalType: "group", clientIds: [appId] },
  });
  for await (const assignment of access.listEntraAssignments()) {
    console.log(`${assignment.principalType} ${assignment.objectId} (tenant ${assignment.tenantId})`);
  }
  await access.updateEntraAssignments({ [userId]: null });
  let pages = 0;
  for await (const page of access.listEntraAssignments().byPage()) console.log(`Page ${++pages}: ${page.length} assignment(s).`);
  await access.updateEntraAssignments({ [groupId]: null });
} finally {
  await resource.close();
}
