import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_OPTIONS, ENTRA_CLIENT_SECRET_ENV, USAGE } from "../src/cliOptions.js";
import { apiVersions } from "../src/generated/routeTable.js";
import { rawRequest } from "../../test/helpers/emulatorSigner.js";
import { emulatorRoot, printedResource, startCli, type CliProcess } from "./helpers/cliProcess.js";

/** The flags the help's option lines document (`  --port <n>  …`). */
const documentedFlags = (text: string) => [...text.matchAll(/^ {2}--([a-z-]+)/gm)].map((match) => match[1]).sort();

describe("--help", () => {
  it("documents every option the parser accepts, and no other", () => {
    expect(documentedFlags(USAGE)).toEqual(Object.keys(CLI_OPTIONS).sort());
  });

  it("names every api-version of the generated route table, and no other", () => {
    const named = USAGE.match(/\d{4}-\d{2}-\d{2}(?:-preview)?/g) ?? [];
    expect([...new Set(named)].sort()).toEqual([...apiVersions].sort());
  });

  it("is what the CLI prints", async () => {
    const cli = startCli(["--help"]);
    await cli.waitFor(/Without credentials they answer loopback callers only\.\n/);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toBe(USAGE);
  });

  it("is in the README, word for word", () => {
    const readme = readFileSync(path.join(emulatorRoot, "README.md"), "utf8");
    expect(readme).toContain(`\`\`\`text\n${USAGE}\`\`\``);
  });

  it("refuses a stray argument without echoing it (it may be a secret)", async () => {
    const cli = startCli(["--entra-client-id", "app", "s3cret-value"]);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain("Unexpected argument");
    expect(cli.stderr()).not.toContain("s3cret-value");
  });
});

describe(`${ENTRA_CLIENT_SECRET_ENV}`, () => {
  const CLIENT_ID = "00000000-0000-0000-0000-00000000e2e2";
  const SECRET = "secret-from-the-environment";
  let cli: CliProcess | undefined;
  let work: string | undefined;
  afterAll(async () => {
    await cli?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const askToken = (endpoint: string, ca: string, secret: string) =>
    rawRequest(`${endpoint}adfs/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: secret, scope: "https://communication.azure.com//.default" }).toString(),
      ca,
    });

  it("gives the Entra ID authority its client secret instead of --entra-client-secret, and is never printed", async () => {
    work = mkdtempSync(path.join(tmpdir(), "emulator-entra-env-"));
    const caFile = path.join(work, "ca.pem");
    cli = startCli(["--port", "0", "--https", "--ca-file", caFile, "--entra-client-id", CLIENT_ID], { ...process.env, [ENTRA_CLIENT_SECRET_ENV]: SECRET });
    const { endpoint } = await printedResource(cli);
    const [banner] = await cli.waitFor(/^entra authority: .*$/m);
    expect(banner).toContain(`(AZURE_CLIENT_SECRET: the ${ENTRA_CLIENT_SECRET_ENV} given)`);
    const ca = readFileSync(caFile, "utf8");

    const granted = await askToken(endpoint, ca, SECRET);
    expect(granted.status, granted.text).toBe(200);
    expect(granted.json).toMatchObject({ token_type: "Bearer", access_token: expect.any(String) });
    const refused = await askToken(endpoint, ca, "another-secret");
    expect(refused.status).toBe(401);
    expect(refused.json.error).toBe("invalid_client");

    await cli.waitFor(/invalid_client/);
    expect(await cli.stop()).toBe(0);
    expect(cli.stdout()).not.toContain(SECRET);
    expect(cli.stderr()).not.toContain(SECRET);
    expect(refused.text).not.toContain(SECRET);
  });

  it("still needs --entra-client-id", async () => {
    const alone = startCli(["--port", "0", "--https", "--entra-tenant", "adfs"], { ...process.env, [ENTRA_CLIENT_SECRET_ENV]: SECRET });
    expect(await alone.exited).toBe(2);
    expect(alone.stderr()).toContain(ENTRA_CLIENT_SECRET_ENV);
    expect(alone.stderr()).not.toContain(SECRET);
  });
});
