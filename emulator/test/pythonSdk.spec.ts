/**
 * The official Python SDK (azure-communication-identity, Debian's python3-azure) runs every method,
 * sync and async, against the CLI emulator over --https, set up as its README documents: a connection
 * string, the endpoint exactly as the CLI prints it (trailing "/") with an AzureKeyCredential, and the
 * endpoint with azure-identity's EnvironmentCredential, whose Entra ID authority is the emulator too.
 */
import { execFile, execFileSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessKeyOf, rawRequest } from "../../test/helpers/emulatorSigner.js";
import { startIdentityEmulator } from "../src/index.js";
import { emulatorRoot, printedResource, startCli, type CliProcess } from "./helpers/cliProcess.js";

const run = promisify(execFile);
const fixture = path.join(emulatorRoot, "test", "fixtures", "python_identity_sdk.py");
const installHint = "Debian/Ubuntu: `apt-get install -y python3-azure` (or set PYTHON to a python3 that has azure-communication-identity)";

/** `PYTHON`, else Debian's /usr/bin/python3, else `python3` on the PATH: the first that imports the SDK. */
function findPython(): string | undefined {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : ["/usr/bin/python3", "python3"];
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ["-c", "import azure.communication.identity, azure.identity, aiohttp, requests"], { stdio: "ignore" });
      return candidate;
    } catch {
      // not there, or without the SDK
    }
  }
  return undefined;
}

const python = findPython();
if (python === undefined && process.env.CI === "true") {
  throw new Error(`CI=true and no python3 with azure-communication-identity was found, so the Python SDK test cannot run. ${installHint}.`);
}
if (python === undefined) console.warn(`Python SDK test skipped: azure-communication-identity not found. ${installHint}.`);

const TEAMS_APP_ID = "7a3f1c2e-5b6d-4e8f-9a0b-1c2d3e4f5a6b";
const TEAMS_USER = "0f1e2d3c-4b5a-4697-8877-665544332211";
const CLIENT_ID = "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716";
const CLIENT_SECRET = "python-client-secret";

interface MethodsResult {
  user: string;
  token: string;
  tokenExpiresOn: number | string;
  shortToken: string;
  shortExpiresOn: number | string;
  user2: string;
  token2: string;
  token2ExpiresOn: number | string;
  teamsToken: string;
  teamsExpiresOn: number | string;
}

let emulator: CliProcess;
let caDir: string;
let resource: { endpoint: string; connectionString: string };
let results: Record<string, unknown>;
let startedAt: number;

describe.skipIf(python === undefined)("azure-communication-identity (Python) against the CLI emulator", () => {
  beforeAll(async () => {
    caDir = mkdtempSync(path.join(tmpdir(), "emulator-python-"));
    const caFile = path.join(caDir, "ca.pem");
    emulator = startCli(["--port", "0", "--https", "--ca-file", caFile, "--entra-client-id", CLIENT_ID, "--entra-client-secret", CLIENT_SECRET]);
    resource = await printedResource(emulator);
    await emulator.waitFor(/^CA written to /m);
    const ca = readFileSync(caFile, "utf8");
    const minted = await rawRequest(`${resource.endpoint}_emulator/teams-user-tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ appId: TEAMS_APP_ID, userObjectId: TEAMS_USER }),
      ca,
    });
    expect(minted.status).toBe(200);
    startedAt = Date.now();
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("AZURE_")) env[name] = value;
    const { stdout } = await run(python!, [fixture], {
      env: {
        ...env,
        AZURE_AUTHORITY_HOST: resource.endpoint,
        AZURE_TENANT_ID: "adfs",
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_CLIENT_SECRET: CLIENT_SECRET,
        REQUESTS_CA_BUNDLE: caFile,
        SSL_CERT_FILE: caFile,
        EMULATOR_ENDPOINT: resource.endpoint,
        EMULATOR_CONNECTION_STRING: resource.connectionString,
        TEAMS_AAD_TOKEN: minted.json.token,
        TEAMS_APP_ID,
        TEAMS_USER_OBJECT_ID: TEAMS_USER,
      },
    });
    results = JSON.parse(stdout) as Record<string, unknown>;
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });

  it("uses the endpoint as printed, trailing slash included", () => {
    expect(resource.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(resource.connectionString.startsWith(`endpoint=${resource.endpoint};accesskey=`)).toBe(true);
  });

  it.each(["connectionString", "endpointAndKey", "endpointAndEntraCredential", "asyncConnectionString", "asyncEndpointAndKey"])(
    "runs every method with the %s set-up",
    (setup) => {
      const outcome = results[setup] as MethodsResult | { error: string };
      expect(outcome).not.toHaveProperty("error");
      const methods = outcome as MethodsResult;
      const nowSeconds = startedAt / 1000;
      expect(methods.user).toMatch(/^8:acs:[0-9a-f-]{36}_/);
      expect(methods.user2).toMatch(/^8:acs:[0-9a-f-]{36}_/);
      expect(methods.user2).not.toBe(methods.user);
      expect(claims(methods.token)).toMatchObject({ skypeid: methods.user.slice("8:".length), scp: 1792 });
      expect(claims(methods.token2)).toMatchObject({ skypeid: methods.user2.slice("8:".length) });
      // Default one day; 60 and 120 minutes when asked (token_expires_in).
      expect(Math.round((seconds(methods.tokenExpiresOn) - nowSeconds) / 600)).toBe(144);
      expect(Math.round((seconds(methods.shortExpiresOn) - nowSeconds) / 600)).toBe(6);
      expect(Math.round((seconds(methods.token2ExpiresOn) - nowSeconds) / 600)).toBe(12);
      expect(claims(methods.teamsToken)).toMatchObject({ skypeid: `orgid:${TEAMS_USER}` });
      expect(seconds(methods.teamsExpiresOn)).toBeGreaterThan(nowSeconds);
    },
  );

  it("is refused with 401 Denied when the key is wrong, in both set-ups", () => {
    expect(results.wrongKeyConnectionString).toEqual({ status: 401, code: "Denied" });
    expect(results.wrongKeyEndpointAndKey).toEqual({ status: 401, code: "Denied" });
  });

  it("is the SDK version Debian ships", () => {
    expect(results.sdkVersion).toMatch(/^1\.\d+\.\d+$/);
  });
});

describe("the Python SDKs' signature with an endpoint ending in /", () => {
  /** Signs as azure-communication-*'s HMACCredentialsPolicy does, given `endpoint` (an https URL) and `key`. */
  function signLikePython(endpoint: string, key: string, method: string, url: string): Record<string, string> {
    const host = endpoint.replace("https://", "");
    const pathAndQuery = url.slice(host.length + "https://".length);
    const date = new Date().toUTCString();
    const contentHash = createHash("sha256").update("").digest("base64");
    const signature = createHmac("sha256", Buffer.from(key, "base64"))
      .update(`${method}\n${pathAndQuery}\n${date};${host};${contentHash}`)
      .digest("base64");
    return {
      "x-ms-date": date,
      "x-ms-content-sha256": contentHash,
      authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
    };
  }

  it("is accepted with the resource's key, and refused with another", async () => {
    const emulator = await startIdentityEmulator({ port: 0, https: true });
    try {
      const url = `${emulator.endpoint}identities?api-version=2023-10-01`;
      const send = (key: string) => rawRequest(url, { method: "POST", headers: signLikePython(emulator.endpoint, key, "POST", url), ca: emulator.ca });
      expect((await send(accessKeyOf(emulator.connectionString))).status).toBe(201);
      const wrong = await send(Buffer.alloc(32, 7).toString("base64"));
      expect(wrong.status).toBe(401);
      expect(wrong.json.error.code).toBe("Denied");
    } finally {
      await emulator.close();
    }
  });
});

/** The SDK's `expires_on`: the service's `2025-04-18T14:46:09.2469181+00:00` as sent (1.3.x), or epoch seconds. */
function seconds(expiresOn: number | string): number {
  if (typeof expiresOn === "number") return expiresOn;
  const milliseconds = Date.parse(expiresOn.replace(/(\.\d{3})\d*/, "$1"));
  expect(milliseconds).not.toBeNaN();
  return milliseconds / 1000;
}

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;
}
