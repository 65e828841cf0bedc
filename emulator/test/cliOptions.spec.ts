import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ACCESS_KEY_ENV, CLI_OPTIONS, ENTRA_CLIENT_SECRET_ENV, USAGE } from "../src/cliOptions.js";
import { apiVersions } from "../src/generated/routeTable.js";
import { rawRequest, signedRequest } from "../../test/helpers/emulatorSigner.js";
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

describe(`${ACCESS_KEY_ENV}`, () => {
  const FROM_ENVIRONMENT = randomBytes(32).toString("base64");
  const FROM_FLAG = randomBytes(32).toString("base64");
  const running: CliProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((cli) => cli.stop()));
  });
  const start = (args: string[], key: string) => {
    const cli = startCli(["--port", "0", ...args], { ...process.env, [ACCESS_KEY_ENV]: key });
    running.push(cli);
    return cli;
  };
  /** Occurrences of `text` in `output`. */
  const count = (output: string, text: string) => output.split(text).length - 1;

  it("gives the resource its access key instead of --access-key, printed only in the connection string", async () => {
    const cli = start([], FROM_ENVIRONMENT);
    const resource = await printedResource(cli);
    expect(resource.connectionString).toBe(`endpoint=${resource.endpoint};accesskey=${FROM_ENVIRONMENT}`);

    const created = await signedRequest(resource, "POST", "/identities?api-version=2023-10-01", { accessKey: FROM_ENVIRONMENT });
    expect(created.status, created.text).toBe(201);
    const refused = await signedRequest(resource, "POST", "/identities?api-version=2023-10-01", { accessKey: FROM_FLAG });
    expect(refused.status).toBe(401);

    await cli.waitFor(/-> 401/);
    expect(await cli.stop()).toBe(0);
    expect(count(cli.stdout(), FROM_ENVIRONMENT)).toBe(1);
    expect(cli.stdout()).toContain(`connection string: endpoint=${resource.endpoint};accesskey=${FROM_ENVIRONMENT}\n`);
    expect(cli.stderr()).not.toContain(FROM_ENVIRONMENT);
  });

  it("loses to --access-key when both are given", async () => {
    const cli = start(["--access-key", FROM_FLAG], FROM_ENVIRONMENT);
    const { connectionString } = await printedResource(cli);
    expect(connectionString).toContain(`;accesskey=${FROM_FLAG}`);
    expect(await cli.stop()).toBe(0);
    expect(cli.stdout()).not.toContain(FROM_ENVIRONMENT);
    expect(cli.stderr()).not.toContain(FROM_ENVIRONMENT);
  });

  it("counts as unset when empty: the key is then random", async () => {
    const cli = start([], "");
    const { connectionString } = await printedResource(cli);
    expect(connectionString).toMatch(/;accesskey=[A-Za-z0-9+/]{43}=$/);
    expect(await cli.stop()).toBe(0);
  });

  it("is refused when not base64, without being echoed", async () => {
    const notBase64 = "not base64: s3cret-access-key";
    const cli = start([], notBase64);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain("accessKey must be a base64 string");
    expect(cli.stdout()).not.toContain(notBase64);
    expect(cli.stderr()).not.toContain(notBase64);
  });
});
