/**
 * A local, offline Azure Communication Services identity emulator for tests and development.
 *
 * @example
 * ```ts
 * import { startIdentityEmulator } from "communication-identity-emulator";
 * import { CommunicationIdentityClient } from "communication-identity";
 *
 * const emulator = await startIdentityEmulator({ port: 0 });
 * const client = new CommunicationIdentityClient(emulator.connectionString, emulator.clientOptions());
 * const { user, token } = await client.createUserAndToken(["chat"]);
 * await emulator.close();
 * ```
 * @packageDocumentation
 */
import type { TokenCredential } from "@azure/core-auth";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createEmulatorTokenCredential } from "./bearerVerifier.js";
import { createLocalCertificate } from "./certificates.js";
import { FaultPlan, type FaultRule } from "./faults.js";
import { IdentityStore } from "./identityStore.js";
import { createEmulatorServer } from "./server.js";
import { mintTeamsUserAadToken, type TeamsUserAadTokenOptions } from "./teamsTokens.js";

export type { FaultAction, FaultRule } from "./faults.js";
export type { TeamsUserAadTokenOptions } from "./teamsTokens.js";
export { TEAMS_SCOPES } from "./teamsTokens.js";
export { SUPPORTED_API_VERSIONS } from "./routes.js";
export { createLocalCertificate, type ServerCertificate } from "./certificates.js";

export interface IdentityEmulatorOptions {
  /** TCP port; 0 picks a free one. Default 8088. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Serve HTTPS (needed for `tokenCredential()`, since bearer auth refuses http). Default false. */
  https?: boolean;
  /** PEM certificate and key for HTTPS; without them a throwaway CA and certificate are made at start. */
  cert?: string;
  key?: string;
  /** Base64 access key of the emulated resource; random by default (or the one stored in `location`). */
  accessKey?: string;
  /** Directory holding durable state; without it, state lives in memory only. */
  location?: string;
  /** The emulator's clock (token expiry, x-ms-date skew, lastTokenIssuedAt). Default: real time. */
  now?: () => Date;
}

/** What `clientOptions()` returns: spread it into the SDK client's options. */
export interface EmulatorClientOptions {
  allowInsecureConnection?: boolean;
  tlsOptions?: { ca: string };
}

export interface IdentityEmulator {
  /** `http://127.0.0.1:54321/` (or `https://…`). */
  readonly endpoint: string;
  /** `endpoint=…;accesskey=…` for this emulated resource. */
  readonly connectionString: string;
  /** The resource's GUID, as it appears in `8:acs:<resourceId>_…` ids. */
  readonly resourceId: string;
  /** PEM of the CA to trust over HTTPS; undefined over HTTP. */
  readonly ca: string | undefined;
  /** Options the SDK client needs to talk to this emulator. */
  clientOptions(): EmulatorClientOptions;
  /** A credential whose bearer tokens this emulator (and only it) accepts. */
  tokenCredential(): TokenCredential;
  /** A test Entra ID token for `getTokenForTeamsUser`, signed by this emulator's Entra test key. */
  createTeamsUserAadToken(options: TeamsUserAadTokenOptions): string;
  /** The next matching requests fail as described; rules are consumed in order. */
  injectFaults(rules: readonly FaultRule[]): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export async function startIdentityEmulator(options: IdentityEmulatorOptions = {}): Promise<IdentityEmulator> {
  const now = options.now ?? (() => new Date());
  const host = options.host ?? "127.0.0.1";
  if (options.accessKey !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(options.accessKey)) {
    throw new TypeError("accessKey must be a base64 string.");
  }
  if ((options.cert === undefined) !== (options.key === undefined)) throw new TypeError("cert and key must be given together.");
  const useHttps = options.https === true || options.cert !== undefined;

  const store = options.location ? await IdentityStore.open(options.location, options.accessKey) : IdentityStore.inMemory(options.accessKey);
  const faults = new FaultPlan();
  let tls: { cert: string; key: string; ca: string } | undefined;
  let server: Server;
  // Whatever fails from here (certificate, a PEM the TLS layer refuses, the port) releases the store.
  try {
    if (useHttps) tls = options.cert ? { cert: options.cert, key: options.key!, ca: options.cert } : await createLocalCertificate();
    server = createEmulatorServer({ store, faults, now, tls });
    await listen(server, options.port ?? 8088, host);
  } catch (error) {
    await store.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const endpoint = `${useHttps ? "https" : "http"}://${shownHost}:${port}/`;
  let closing: Promise<void> | undefined;

  return {
    endpoint,
    connectionString: `endpoint=${endpoint};accesskey=${store.keys.accessKey}`,
    resourceId: store.keys.resourceId,
    ca: tls?.ca,
    clientOptions: () => (tls ? { tlsOptions: { ca: tls.ca } } : { allowInsecureConnection: true }),
    tokenCredential: () => createEmulatorTokenCredential(store.secrets.bearer, now),
    createTeamsUserAadToken: (teamsOptions) => mintTeamsUserAadToken(teamsOptions, store.secrets.entra, now()),
    injectFaults: (rules) => faults.add(rules),
    clearFaults: () => faults.clear(),
    close: () => (closing ??= closeAll(server, store)),
  };
}

/** Reads PEM files for `cert`/`key` (used by the CLI). */
export async function readPemFiles(certPath: string, keyPath: string): Promise<{ cert: string; key: string }> {
  const [cert, key] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
  return { cert, key };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function closeAll(server: Server, store: IdentityStore): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await store.close();
}
