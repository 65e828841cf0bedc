/**
 * Run by communicationCommon.spec.ts in a child process whose NODE_EXTRA_CA_CERTS trusts the emulator's CA (Node 20
 * cannot add a trusted CA at run time, and communication-common's HTTP client takes no TLS options). Starts the
 * emulator over HTTPS with the certificate the parent made, drives `AzureCommunicationTokenCredential` in Entra mode
 * on both routes, and prints one JSON line of outcomes.
 */
import { AzureCommunicationTokenCredential } from "@azure/communication-common";
import { signedRequest } from "../../test/helpers/emulatorSigner.js";
import { startIdentityEmulator } from "../src/index.js";

const TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd";
const APP = "07474a86-625a-452f-977b-db4e13f21260";
const ROUTES = {
  teamsExtension: {
    scopes: ["https://auth.msft.communication.azure.com/TeamsExtension.ManageCalls"],
    assignmentPath: (objectId: string) => `/access/teamsExtension/tenants/${TENANT}/assignments/${objectId}?api-version=2026-09-23`,
    assignment: { principalType: "user", clientIds: [APP] },
  },
  entra: {
    scopes: ["https://communication.azure.com/clients/VoIP"],
    assignmentPath: (objectId: string) => `/access/entra/assignments/${objectId}?api-version=2025-03-02-preview`,
    assignment: { tenantId: TENANT, principalType: "user", clientIds: [APP] },
  },
} as const;

export interface Outcome {
  ok: boolean;
  /** For a success: the ACS token's claims that matter and its expiry; for a failure: the error message. */
  skypeid?: string;
  expiresOnTimestamp?: number;
  entraExpiresOnTimestamp?: number;
  message?: string;
}

/** The JSON line this script prints (`objectId.message` is the object id the route's scenarios used). */
export interface ScenarioReport {
  resourceId: string;
  endpoint: string;
  results: Record<"teamsExtension" | "entra", Record<"withoutAssignment" | "withAssignment" | "expiredToken" | "afterDelete" | "objectId", Outcome>>;
}

const emulator = await startIdentityEmulator({ port: 0, https: true, cert: process.env.EMULATOR_CERT!, key: process.env.EMULATOR_KEY! });
// Given a cert and key, the emulator reports the certificate itself as `ca`; the assignment calls trust the real CA.
const manager = { endpoint: emulator.endpoint, connectionString: emulator.connectionString, ca: process.env.EMULATOR_CA! };
try {
  const results: Record<string, Record<string, Outcome>> = {};
  for (const [route, { scopes, assignmentPath, assignment }] of Object.entries(ROUTES)) {
    const objectId = crypto.randomUUID();
    const exchange = async (expiresInMinutes?: number): Promise<Outcome> => {
      const entra = emulator.entraTokenCredential({ tenantId: TENANT, objectId, appId: APP, expiresInMinutes });
      const entraToken = await entra.getToken([...scopes]);
      const credential = new AzureCommunicationTokenCredential({ resourceEndpoint: emulator.endpoint, tokenCredential: entra, scopes: [...scopes] });
      try {
        const { token, expiresOnTimestamp } = await credential.getToken();
        const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as { skypeid: string };
        return { ok: true, skypeid: claims.skypeid, expiresOnTimestamp, entraExpiresOnTimestamp: entraToken?.expiresOnTimestamp };
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      } finally {
        credential.dispose();
      }
    };
    const outcomes: Record<string, Outcome> = {};
    outcomes.withoutAssignment = await exchange();
    const put = await signedRequest(manager, "PUT", assignmentPath(objectId), { body: assignment });
    if (put.status !== 201) throw new Error(`assignment PUT answered ${put.status}`);
    outcomes.withAssignment = await exchange(90);
    outcomes.expiredToken = await exchange(0);
    const deleted = await signedRequest(manager, "DELETE", assignmentPath(objectId));
    if (deleted.status !== 204) throw new Error(`assignment DELETE answered ${deleted.status}`);
    outcomes.afterDelete = await exchange();
    results[route] = { ...outcomes, objectId: { ok: true, message: objectId } };
  }
  console.log(JSON.stringify({ resourceId: emulator.resourceId, endpoint: emulator.endpoint, results }));
} finally {
  await emulator.close();
}
