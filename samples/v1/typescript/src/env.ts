/**
 * Shared by the samples (not a sample itself): finds the Communication Services resource in the
 * environment or a `.env` file (see sample.env), or starts the embedded emulator when none is set.
 */
import "dotenv/config"; // first, so AZURE_LOG_LEVEL from .env is seen when @azure/logger loads
import type { TokenCredential } from "@azure/core-auth";
import { CommunicationIdentityClient, type CommunicationAccessToken, type CommunicationIdentityClientOptions } from "communication-identity";
import type { IdentityEmulator } from "communication-identity-emulator";

/** How a sample authenticates; without one, the samples use whatever the environment provides. */
export type AuthMethod = "connectionString" | "accessKey" | "tokenCredential";

export interface SampleResource {
  endpoint: string;
  /** Set when the environment (or the emulator) provides an access key. */
  connectionString?: string;
  accessKey?: string;
  /** The emulator's own credential offline; undefined against Azure (use DefaultAzureCredential). */
  emulatorCredential?: TokenCredential;
  clientOptions: CommunicationIdentityClientOptions;
  usingEmulator: boolean;
  emulator?: IdentityEmulator;
  close(): Promise<void>;
}

export interface SampleClient {
  client: CommunicationIdentityClient;
  usingEmulator: boolean;
  emulator?: IdentityEmulator;
  close(): Promise<void>;
}

const setting = (name: string): string | undefined => process.env[name]?.trim() || undefined;

/** Reads the resource's settings, or starts the emulator; prints one line saying which. */
export async function loadResource(auth?: AuthMethod): Promise<SampleResource> {
  const connectionString = setting("COMMUNICATION_CONNECTION_STRING");
  const parsed = /^endpoint=(?<endpoint>[^;]+);accesskey=(?<key>.+)$/i.exec(connectionString ?? "")?.groups;
  const endpoint = setting("COMMUNICATION_ENDPOINT") ?? parsed?.endpoint;
  const accessKey = setting("COMMUNICATION_ACCESS_KEY") ?? parsed?.key;
  if (endpoint === undefined) return startEmbeddedEmulator(auth);

  const source = connectionString ? "COMMUNICATION_CONNECTION_STRING" : accessKey ? "COMMUNICATION_ENDPOINT + COMMUNICATION_ACCESS_KEY" : "COMMUNICATION_ENDPOINT + Entra ID";
  if (auth !== undefined && auth !== "tokenCredential" && accessKey === undefined) {
    console.log(`Skipped: this sample needs an access key (COMMUNICATION_CONNECTION_STRING or COMMUNICATION_ACCESS_KEY).`);
    process.exit(0);
  }
  if (auth === "tokenCredential" && setting("COMMUNICATION_ENDPOINT") === undefined) {
    console.log(`Skipped: this sample needs COMMUNICATION_ENDPOINT and an identity DefaultAzureCredential can use (az login or AZURE_* variables).`);
    process.exit(0);
  }
  console.log(`Using the resource at ${endpoint} (from ${source}).`);
  return {
    endpoint,
    accessKey,
    connectionString: connectionString ?? (accessKey ? `endpoint=${endpoint};accesskey=${accessKey}` : undefined),
    // http:// only makes sense for a local emulator you started yourself; Azure is https.
    clientOptions: endpoint.startsWith("http://") ? { allowInsecureConnection: true } : {},
    usingEmulator: false,
    close: async () => {},
  };
}

async function startEmbeddedEmulator(auth: AuthMethod | undefined): Promise<SampleResource> {
  const { startIdentityEmulator } = await import("communication-identity-emulator");
  // Bearer tokens are refused over http, so the Entra sample needs the emulator over https (with its own CA).
  const emulator = await startIdentityEmulator({ port: 0, https: auth === "tokenCredential" });
  console.log(`No COMMUNICATION_CONNECTION_STRING or COMMUNICATION_ENDPOINT set: using the embedded emulator at ${emulator.endpoint}`);
  return {
    endpoint: emulator.endpoint,
    connectionString: emulator.connectionString,
    accessKey: /accesskey=(.+)$/i.exec(emulator.connectionString)?.[1],
    emulatorCredential: emulator.tokenCredential(),
    clientOptions: emulator.clientOptions(),
    usingEmulator: true,
    emulator,
    close: () => emulator.close(),
  };
}

/**
 * Like `loadResource("connectionString")`, for samples that hand the endpoint to communication-common's Entra
 * credential: its HTTP client accepts only https and trusts only the system's CAs. Offline, this re-runs the sample
 * in a child Node process that trusts the embedded emulator's CA (NODE_EXTRA_CA_CERTS, read at start only) and
 * never returns in the parent, which exits with the child's status.
 */
export async function loadResourceOverTrustedHttps(): Promise<SampleResource> {
  if (setting("COMMUNICATION_CONNECTION_STRING") || setting("COMMUNICATION_ENDPOINT")) return loadResource("connectionString");
  const { createLocalCertificate, startIdentityEmulator } = await import("communication-identity-emulator");
  const given = setting("SAMPLE_EMULATOR_TLS");
  if (given === undefined) {
    const [{ spawnSync }, { mkdtempSync, rmSync, writeFileSync }, { tmpdir }, { join }] = await Promise.all([
      import("node:child_process"),
      import("node:fs"),
      import("node:os"),
      import("node:path"),
    ]);
    const tls = await createLocalCertificate();
    const dir = mkdtempSync(join(tmpdir(), "sample-emulator-ca-"));
    writeFileSync(join(dir, "ca.pem"), tls.ca);
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, "ca.pem"), SAMPLE_EMULATOR_TLS: JSON.stringify(tls) };
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env });
    rmSync(dir, { recursive: true, force: true });
    process.exit(child.status ?? 1);
  }
  const tls = JSON.parse(given) as { ca: string; cert: string; key: string };
  const emulator = await startIdentityEmulator({ port: 0, cert: tls.cert, key: tls.key });
  console.log(`No COMMUNICATION_CONNECTION_STRING or COMMUNICATION_ENDPOINT set: using the embedded emulator at ${emulator.endpoint}`);
  return {
    endpoint: emulator.endpoint,
    connectionString: emulator.connectionString,
    clientOptions: { tlsOptions: { ca: tls.ca } },
    usingEmulator: true,
    emulator,
    close: () => emulator.close(),
  };
}

/** A client for whatever the environment provides: connection string, access key, or Entra ID. */
export async function createSampleClient(): Promise<SampleClient> {
  const resource = await loadResource();
  let client: CommunicationIdentityClient;
  if (resource.connectionString) {
    client = new CommunicationIdentityClient(resource.connectionString, resource.clientOptions);
  } else {
    const { DefaultAzureCredential } = await import("@azure/identity");
    client = new CommunicationIdentityClient(resource.endpoint, new DefaultAzureCredential(), resource.clientOptions);
  }
  return { client, usingEmulator: resource.usingEmulator, emulator: resource.emulator, close: resource.close };
}

/** Never print a whole token: its first characters and its expiry are enough to tell them apart. */
export function describeToken({ token, expiresOn }: CommunicationAccessToken): string {
  return `${token.slice(0, 12)}… (expires ${expiresOn.toISOString()})`;
}
