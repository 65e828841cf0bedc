/**
 * Microsoft's JavaScript access-token quickstart, as shipped (DefaultAzureCredential), runs against the
 * CLI emulator with environment variables only: the emulator is its Entra ID authority too. Run with
 * the official @azure/communication-identity and with this project's drop-in (the one import renamed).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../../test/helpers/emulatorSigner.js";
import { startIdentityEmulator } from "../src/index.js";
import { emulatorRoot, printedResource, startCli, type CliProcess } from "./helpers/cliProcess.js";

const run = promisify(execFile);
const quickstartDir = path.join(emulatorRoot, "test", "fixtures", "quickstart");
const repoRoot = path.resolve(emulatorRoot, "..");
const CLIENT_ID = "3c9a5f0e-7d21-4b6a-9e3f-0a1b2c3d4e5f";
const CLIENT_SECRET = "quickstart-client-secret";

let emulator: CliProcess;
let work: string;
let caFile: string;
let endpoint: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "emulator-quickstart-"));
  caFile = path.join(work, "ca.pem");
  emulator = startCli(["--port", "0", "--https", "--ca-file", caFile, "--entra-client-id", CLIENT_ID, "--entra-client-secret", CLIENT_SECRET]);
  ({ endpoint } = await printedResource(emulator));
  await emulator.waitFor(/^entra authority: /m);
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The environment a user sets (README, "The stock quickstart"), on top of one with no Azure settings of its own. */
function quickstartEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("AZURE_") && name !== "NODE_EXTRA_CA_CERTS" && name !== "NODE_OPTIONS") env[name] = value;
  }
  return {
    ...env,
    COMMUNICATION_SERVICES_ENDPOINT: endpoint,
    AZURE_AUTHORITY_HOST: endpoint,
    AZURE_TENANT_ID: "adfs",
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    NODE_EXTRA_CA_CERTS: caFile,
    // Only the environment credential: an incomplete environment must never probe the managed-identity endpoint.
    AZURE_TOKEN_CREDENTIALS: "EnvironmentCredential",
    ...extra,
  };
}

async function runQuickstart(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(process.execPath, [script], { env, cwd: path.dirname(script) });
  return stdout;
}

function expectQuickstartRan(stdout: string): void {
  expect(stdout).not.toContain("Encountered an error");
  const created = [...stdout.matchAll(/Created an identity with ID: (8:acs:\S+)/g)].map((match) => match[1]);
  expect(created).toHaveLength(2);
  expect(stdout.match(/Issued an access token with 'voip' scope that expires at/g)).toHaveLength(3);
  expect(stdout).toContain(`Successfully revoked all access tokens for identity with ID: ${created[0]}`);
  expect(stdout).toContain(`Deleted the identity with ID: ${created[0]}`);
}

describe("the access-token quickstart with DefaultAzureCredential", () => {
  it("runs unchanged with the official @azure/communication-identity", async () => {
    expectQuickstartRan(await runQuickstart(path.join(quickstartDir, "issue-access-token.js"), quickstartEnvironment()));
  });

  it("runs with communication-identity, the import renamed", async () => {
    const built = path.join(repoRoot, "dist", "index.cjs");
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` at the repository root first.`);
    // What `npm install communication-identity` gives the quickstart's folder.
    const modules = path.join(work, "node_modules");
    mkdirSync(modules, { recursive: true });
    if (!existsSync(path.join(modules, "communication-identity"))) symlinkSync(repoRoot, path.join(modules, "communication-identity"), "dir");
    const source = readFileSync(path.join(quickstartDir, "issue-access-token.js"), "utf8");
    const renamed = source.replace("require('@azure/communication-identity')", "require('communication-identity')");
    expect(renamed).not.toBe(source);
    const script = path.join(work, "issue-access-token.js");
    writeFileSync(script, renamed);
    // @azure/identity from the repository's node_modules, as the quickstart's own install would provide it.
    expectQuickstartRan(await runQuickstart(script, quickstartEnvironment({ NODE_PATH: path.join(repoRoot, "node_modules") })));
  });

  it("fails as Entra ID would when the client secret is wrong", async () => {
    const stdout = await runQuickstart(path.join(quickstartDir, "issue-access-token.js"), quickstartEnvironment({ AZURE_CLIENT_SECRET: "not-the-secret" }));
    expect(stdout).toContain("Encountered an error");
    expect(stdout).toContain("invalid_client");
    expect(stdout).not.toContain(CLIENT_SECRET);
  });
});

describe("the emulator's Entra ID authority", () => {
  it("gives DefaultAzureCredential its token, and says how long that took", async () => {
    const { stdout } = await run(process.execPath, [path.join(quickstartDir, "default-credential-timing.js")], { env: quickstartEnvironment() });
    const { milliseconds, expiresOnTimestamp } = JSON.parse(stdout) as { milliseconds: number; expiresOnTimestamp: number };
    console.info(`DefaultAzureCredential got its token from the emulator's authority in ${Math.round(milliseconds)} ms`);
    expect(expiresOnTimestamp).toBeGreaterThan(Date.now());
  });

  it("serves the OpenID configuration MSAL reads, built from the request's host", async () => {
    const ca = readFileSync(caFile, "utf8");
    const localhost = endpoint.replace("127.0.0.1", "localhost");
    for (const base of [endpoint, localhost]) {
      const res = await rawRequest(`${base}adfs/.well-known/openid-configuration`, { ca });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        issuer: `${base}adfs`,
        authorization_endpoint: `${base}adfs/oauth2/v2.0/authorize`,
        token_endpoint: `${base}adfs/oauth2/v2.0/token`,
        jwks_uri: `${base}adfs/discovery/v2.0/keys`,
      });
    }
  });

  it("issues client-credential tokens for the identity API that the API accepts, and refuses a wrong secret", async () => {
    const ca = readFileSync(caFile, "utf8");
    const token = (secret: string, scope = "https://communication.azure.com//.default") =>
      rawRequest(`${endpoint}adfs/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: secret, scope }).toString(),
        ca,
      });
    const issued = await token(CLIENT_SECRET);
    expect(issued.status).toBe(200);
    expect(issued.json).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
    const created = await rawRequest(`${endpoint}identities?api-version=2023-10-01`, {
      method: "POST",
      headers: { authorization: `Bearer ${issued.json.access_token}`, "content-type": "application/json" },
      ca,
    });
    expect(created.status).toBe(201);

    const refused = await token("wrong");
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ error: "invalid_client" });
    expect(JSON.stringify(refused.json)).not.toContain(CLIENT_SECRET);
    expect((await token(CLIENT_SECRET, "https://storage.azure.com/.default")).json).toMatchObject({ error: "invalid_scope" });
  });

  it("refuses another client id and other grant types", async () => {
    const ca = readFileSync(caFile, "utf8");
    const post = (form: Record<string, string>) =>
      rawRequest(`${endpoint}adfs/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
        ca,
      });
    const scope = "https://communication.azure.com//.default";
    const otherClient = await post({ grant_type: "client_credentials", client_id: "00000000-0000-0000-0000-00000000dead", client_secret: CLIENT_SECRET, scope });
    expect(otherClient.status).toBe(400);
    expect(otherClient.json).toMatchObject({ error: "unauthorized_client" });
    const password = await post({ grant_type: "password", client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope });
    expect(password.json).toMatchObject({ error: "unsupported_grant_type" });
  });

  it("is refused over http, since MSAL accepts only https authorities", async () => {
    await expect(startIdentityEmulator({ port: 0, entraAuthority: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } })).rejects.toThrow(
      "entraAuthority needs https",
    );
  });
});
