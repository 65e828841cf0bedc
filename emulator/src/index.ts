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
import { EmulatorClock } from "./clock.js";
import { listAssignments, resetState, type AssignmentListing } from "./controlApi.js";
import { createLocalCertificate, localCertificateIn, spkiPin } from "./certificates.js";
import { EntraAuthority, type EntraAuthorityOptions } from "./entraAuthority.js";
import { FaultPlan, type FaultRule } from "./faults.js";
import { IdentityStore, type IdentitySummary } from "./identityStore.js";
import { formatRequestLine, RequestLog, type RequestLogEntry } from "./requestLog.js";
import { MANAGEMENT_SCOPE, mintEntraToken, type EntraTokenOptions } from "./entraTokens.js";
import { createEmulatorServer } from "./server.js";
import { mintTeamsUserAadToken, type TeamsUserAadTokenOptions } from "./teamsTokens.js";

export type { FaultAction, FaultRule } from "./faults.js";
export type { TeamsUserAadTokenOptions } from "./teamsTokens.js";
export type { IdentitySummary } from "./identityStore.js";
export type { RequestLogEntry } from "./requestLog.js";
export type { Explanation } from "./errors.js";
export type { AssignmentListing } from "./controlApi.js";
export type { EntraTokenOptions } from "./entraTokens.js";
export { TEAMS_SCOPES } from "./teamsTokens.js";
export { SUPPORTED_API_VERSIONS } from "./routes.js";
export { createLocalCertificate, spkiPin, type ServerCertificate } from "./certificates.js";
export type { EntraAuthorityOptions } from "./entraAuthority.js";
export type { EntraAssignment, EntraPrincipalType, TeamsExtensionAssignment, TeamsExtensionPrincipalType } from "./assignmentStore.js";

/** Options of {@link startIdentityEmulator}; every one is optional. */
export interface IdentityEmulatorOptions {
  /** TCP port; 0 picks a free one. Default 8088. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Serve HTTPS (needed for `tokenCredential()`, since bearer auth refuses http). Default false. */
  https?: boolean;
  /**
   * PEM certificate and key for HTTPS. Without them the emulator makes a CA and a certificate for
   * 127.0.0.1/localhost: throwaway in memory, or kept in `location` and reused across restarts.
   * Giving `cert` turns HTTPS on; {@link IdentityEmulator.ca} and `clientOptions()` then hand out this same PEM as
   * the one to trust, which verifies only a self-signed `cert`: for one a CA signed, have clients trust that CA
   * (`tlsOptions: { ca }`).
   */
  cert?: string;
  /** PEM private key of `cert`; the two must be given together (else `startIdentityEmulator` rejects with a `TypeError`). */
  key?: string;
  /** Base64 access key of the emulated resource; random by default (or the one stored in `location`). */
  accessKey?: string;
  /** Directory holding durable state; without it, state lives in memory only. */
  location?: string;
  /**
   * With `location`: compact the journal (rewrite it as the live state) whenever it has grown by this many bytes,
   * and at start when its history is that much larger than the live state. Default: 8 MiB, or the compacted size if
   * larger. Compaction never loses an acknowledged write, even when the process is killed during it.
   */
  compactJournalAfterBytes?: number;
  /**
   * Accept api-versions the emulator does not know, served as the newest one it knows (as Azurite's
   * `--skipApiVersionCheck`), so an SDK newer than the emulator still works. Default false: they get
   * 400 `UnsupportedApiVersion` with the `api-supported-versions` header.
   */
  loose?: boolean;
  /** The emulator's clock (token expiry, x-ms-date skew, lastTokenIssuedAt). Default: real time. */
  now?: () => Date;
  /**
   * Also serve a local Entra ID authority for `@azure/identity` (needs HTTPS): point `AZURE_AUTHORITY_HOST` at the
   * endpoint and `AZURE_TENANT_ID`/`AZURE_CLIENT_ID`/`AZURE_CLIENT_SECRET` at these values; its tokens for
   * `https://communication.azure.com//.default` are bearer tokens this emulator accepts.
   */
  entraAuthority?: EntraAuthorityOptions;
  /**
   * Called with one line per answered request: time, method, path, api-version, status, duration and, for a
   * refusal, why (`12:00:01.234 POST /identities 2023-10-01 -> 401 Denied (2 ms): …`). The CLI prints these
   * unless `--quiet`. The control API's reads that the inspector page polls are left out. Default: nothing is printed.
   */
  log?: (line: string) => void;
}

/** What `clientOptions()` returns: spread it into the SDK client's options. Exactly one of the two is set. */
export interface EmulatorClientOptions {
  /** `true` when the emulator serves HTTP (Azure SDK clients refuse `http://` without it); absent over HTTPS. */
  allowInsecureConnection?: boolean;
  /** Set when the emulator serves HTTPS: the CA the client must trust for this emulator's certificate; absent over HTTP. */
  tlsOptions?: {
    /** PEM of the CA to trust: the emulator's own CA, or the `cert` given in {@link IdentityEmulatorOptions}. */
    ca: string;
  };
}

/**
 * A running emulator, as {@link startIdentityEmulator} returns it: where it listens, its resource's connection
 * string, and in-process hooks (faults, test tokens, state, clock) that mirror the control API under `/_emulator/`.
 * It serves until {@link IdentityEmulator.close} is called.
 */
export interface IdentityEmulator {
  /** `http://127.0.0.1:54321/` (or `https://…`). */
  readonly endpoint: string;
  /** `endpoint=…;accesskey=…` for this emulated resource. */
  readonly connectionString: string;
  /** The resource's GUID, as it appears in `8:acs:<resourceId>_…` ids. */
  readonly resourceId: string;
  /** PEM of the CA to trust over HTTPS; undefined over HTTP. */
  readonly ca: string | undefined;
  /**
   * Base64 SHA-256 of the server certificate's public key, for Chromium's `--ignore-certificate-errors-spki-list`
   * (the server certificate's, not the CA's); undefined over HTTP.
   */
  readonly spkiPin: string | undefined;
  /** Options the SDK client needs to talk to this emulator. */
  clientOptions(): EmulatorClientOptions;
  /** A credential whose bearer tokens this emulator (and only it) accepts. */
  tokenCredential(): TokenCredential;
  /** A test Entra ID token for `getTokenForTeamsUser`, signed by this emulator's Entra test key. */
  createTeamsUserAadToken(options: TeamsUserAadTokenOptions): string;
  /**
   * A test Entra ID access token signed by this emulator, for the exchange routes or as a management bearer token:
   * scopes `https://auth.msft.communication.azure.com/…` for `POST /access/teamsExtension/:exchangeAccessToken`,
   * `https://communication.azure.com/clients/…` for `POST /access/entra/:exchangeAccessToken`, and
   * `https://communication.azure.com//.default` for `Authorization: Bearer` on the identity and assignment routes.
   * `expiresInMinutes` defaults to 60; zero or less gives an expired token.
   *
   * @example
   * ```ts
   * const token = emulator.createEntraToken({ tenantId, objectId, appId, scopes: ["https://communication.azure.com/clients/VoIP"] });
   * ```
   */
  createEntraToken(options: EntraTokenOptions): string;
  /**
   * A `TokenCredential` for one Entra ID user and app whose `getToken(scopes)` mints a token for the scopes asked
   * (see {@link IdentityEmulator.createEntraToken}): give it to communication-common's
   * `AzureCommunicationTokenCredential({ resourceEndpoint: emulator.endpoint, tokenCredential, scopes })`.
   */
  entraTokenCredential(options: Omit<EntraTokenOptions, "scopes">): TokenCredential;
  /**
   * The next matching requests fail as described; rules are consumed in order. Rules add to those still pending
   * (as `POST /_emulator/faults`); the first pending rule that matches a request applies to it and loses one of its
   * `times`. Faults apply to requests for the service's API, before authentication; the control API, the inspector
   * and the Entra ID authority are never faulted. Throws a `TypeError` for a rule whose `times` is not a positive
   * integer, or whose `match` is malformed or names a route template the service does not have; the rules before that
   * one stay added, those after it are not.
   *
   * @example
   * ```ts
   * // The next token request gets a 503 with Retry-After: 1; the client's retry then succeeds.
   * emulator.injectFaults([
   *   { match: { method: "POST", path: "/identities/{id}/:issueAccessToken" }, times: 1, fault: { status: 503, retryAfterSeconds: 1 } },
   * ]);
   * ```
   */
  injectFaults(rules: readonly FaultRule[]): void;
  /** Drops every pending fault rule (as `DELETE /_emulator/faults`). */
  clearFaults(): void;
  /** Every identity this emulator made, live ones first, then deleted ones (as `GET /_emulator/identities` lists them). */
  identities(): IdentitySummary[];
  /** The access assignments (as `GET /_emulator/assignments`). */
  assignments(): AssignmentListing;
  /** The recent requests, oldest first (as `GET /_emulator/requests`), with why each refused one was refused. */
  requests(options?: { after?: number }): RequestLogEntry[];
  /** Forgets identities, assignments and faults and puts the clock back (keys stay); as `POST /_emulator/reset`. */
  reset(): Promise<void>;
  /** Moves the emulator's clock `offsetSeconds` from real time (0 puts it back); as `POST /_emulator/clock`. */
  setClock(offsetSeconds: number): void;
  /**
   * Stops listening, ends open connections, waits for pending durable writes and releases `location`'s lock.
   * Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Starts an emulator listening on `host:port` (default `127.0.0.1:8088`) and resolves once it accepts connections.
 * The emulated resource gets a random resource id and access key (`accessKey` fixes the key); with `location`, the
 * ones stored there are reused.
 *
 * Rejects with a `TypeError` for an `accessKey` that is not base64, `cert` without `key` (or the reverse), or
 * `entraAuthority` without HTTPS; with Node's `EADDRINUSE` error when the port is taken; and, with `location`, with
 * a `LocationLockedError` when another emulator uses that directory, or an error naming the directory when its
 * content is not an emulator's or belongs to a resource with another access key. A rejection after `location` was
 * opened releases it.
 *
 * @example
 * ```ts
 * const emulator = await startIdentityEmulator({ port: 0 }); // a free port, in-memory state, HTTP
 * const client = new CommunicationIdentityClient(emulator.connectionString, emulator.clientOptions());
 * // … use the client …
 * await emulator.close();
 * ```
 *
 * @example
 * ```ts
 * // HTTPS with a bearer credential, state kept across restarts in ./.emulator
 * const emulator = await startIdentityEmulator({ https: true, location: ".emulator" });
 * const client = new CommunicationIdentityClient(emulator.endpoint, emulator.tokenCredential(), emulator.clientOptions());
 * ```
 */
export async function startIdentityEmulator(options: IdentityEmulatorOptions = {}): Promise<IdentityEmulator> {
  const clock = new EmulatorClock(options.now);
  const now = clock.now;
  const host = options.host ?? "127.0.0.1";
  if (options.accessKey !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(options.accessKey)) {
    throw new TypeError("accessKey must be a base64 string.");
  }
  if ((options.cert === undefined) !== (options.key === undefined)) throw new TypeError("cert and key must be given together.");
  const useHttps = options.https === true || options.cert !== undefined;
  if (options.entraAuthority && !useHttps) throw new TypeError("entraAuthority needs https: MSAL accepts only https authorities.");

  const store = options.location ? await IdentityStore.open(options.location, options.accessKey, { compactAfterBytes: options.compactJournalAfterBytes }) : IdentityStore.inMemory(options.accessKey);
  store.useClock(now);
  const faults = new FaultPlan();
  const log = new RequestLog();
  const printLine = options.log;
  if (printLine) log.subscribe((entry) => printLine(formatRequestLine(entry)));
  let tls: { cert: string; key: string; ca: string } | undefined;
  let server: Server;
  // Whatever fails from here (certificate, a PEM the TLS layer refuses, the port) releases the store.
  try {
    if (useHttps) {
      if (options.cert) tls = { cert: options.cert, key: options.key!, ca: options.cert };
      else tls = options.location ? await localCertificateIn(options.location) : await createLocalCertificate();
    }
    const authority = options.entraAuthority ? new EntraAuthority(options.entraAuthority, store.secrets, now) : undefined;
    server = createEmulatorServer({ store, faults, now, tls, authority, log, clock, loose: options.loose === true });
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
    spkiPin: tls ? spkiPin(tls.cert) : undefined,
    clientOptions: () => (tls ? { tlsOptions: { ca: tls.ca } } : { allowInsecureConnection: true }),
    tokenCredential: () => createManagementTokenCredential(store.secrets, now),
    createTeamsUserAadToken: (teamsOptions) => mintTeamsUserAadToken(teamsOptions, store.secrets.entra, now()),
    createEntraToken: (entraOptions) => mintEntraToken(entraOptions, store.secrets, now()).token,
    entraTokenCredential: (principal) => createEntraTokenCredential(principal, store.secrets, now),
    injectFaults: (rules) => faults.add(rules),
    clearFaults: () => faults.clear(),
    identities: () => store.list(),
    assignments: () => listAssignments(store),
    requests: (listOptions) => log.list(listOptions?.after),
    reset: async () => {
      resetState({ store, faults, log, clock });
      await store.durable();
    },
    setClock: (offsetSeconds) => clock.setOffset(offsetSeconds),
    close: () => (closing ??= closeAll(server, store)),
  };
}

/** The test principal of `tokenCredential()`'s tokens (any scope asked for gets a management bearer token). */
const TEST_PRINCIPAL = { tenantId: "communication-identity-emulator", objectId: "emulator-test-principal", appId: "emulator-test-principal", scopes: [MANAGEMENT_SCOPE] };

function createManagementTokenCredential(secrets: IdentityStore["secrets"], now: () => Date): TokenCredential {
  return {
    async getToken() {
      const { token, expiresOnTimestamp } = mintEntraToken(TEST_PRINCIPAL, secrets, now());
      return { token, expiresOnTimestamp, tokenType: "Bearer" };
    },
  };
}

function createEntraTokenCredential(principal: Omit<EntraTokenOptions, "scopes">, secrets: IdentityStore["secrets"], now: () => Date): TokenCredential {
  // Checked now, so a mistake shows where the credential is made rather than inside another package's getToken.
  mintEntraToken({ ...principal, scopes: ["https://communication.azure.com/clients/.default"] }, secrets, now());
  const fixed = { ...principal };
  return {
    async getToken(scopes) {
      const { token, expiresOnTimestamp } = mintEntraToken({ ...fixed, scopes: typeof scopes === "string" ? [scopes] : scopes }, secrets, now());
      return { token, expiresOnTimestamp, tokenType: "Bearer" };
    },
  };
}

/** Reads PEM files for `cert`/`key` (used by the CLI), as UTF-8; rejects with the file system's error if either cannot be read. */
export async function readPemFiles(
  certPath: string,
  keyPath: string,
): Promise<{
  /** The content of `certPath`: for {@link IdentityEmulatorOptions.cert}. */
  cert: string;
  /** The content of `keyPath`: for {@link IdentityEmulatorOptions.key}. */
  key: string;
}> {
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
