#!/usr/bin/env node
/** `communication-identity-emulator`: runs the identity emulator until SIGINT/SIGTERM. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { readPemFiles, startIdentityEmulator } from "./index.js";

const USAGE = `Usage: communication-identity-emulator [options]

Runs a local Azure Communication Services identity emulator (api-versions 2023-10-01, 2025-03-02-preview).

Options:
  --port <n>          port to listen on (default 8088; 0 picks a free port)
  --host <addr>       interface to bind (default 127.0.0.1)
  --https             serve HTTPS with a certificate made at start (kept in --location if given)
  --ca-file <path>    write the CA to trust to this file (else its PEM is printed); with --https or --cert
  --cert <file>       PEM certificate for HTTPS (with --key)
  --key <file>        PEM private key for HTTPS (with --cert)
  --access-key <b64>  access key of the emulated resource (default: random, or the one stored in --location)
  --location <dir>    keep state (and the HTTPS CA and certificate) in this directory across restarts
                      (default: in memory)
  --entra-client-id <id>
  --entra-client-secret <secret>
                      also serve a local Entra ID authority (needs --https) that issues bearer tokens to
                      this client: AZURE_AUTHORITY_HOST=<endpoint>, AZURE_TENANT_ID, AZURE_CLIENT_ID,
                      AZURE_CLIENT_SECRET for @azure/identity
  --entra-tenant <id> the authority's tenant (default adfs, which spares MSAL its instance discovery)
  --quiet             do not print a line per request (the stop line is still printed)
  --loose             accept api-versions the emulator does not know, served as the newest it knows
  --help              show this help

Control API and inspector: open <endpoint>_emulator/ in a browser; curl <endpoint>_emulator/identities, …
(see the README). Without credentials they answer loopback callers only.
`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        https: { type: "boolean" },
        cert: { type: "string" },
        key: { type: "string" },
        "access-key": { type: "string" },
        location: { type: "string" },
        "ca-file": { type: "string" },
        "entra-tenant": { type: "string" },
        "entra-client-id": { type: "string" },
        "entra-client-secret": { type: "string" },
        quiet: { type: "boolean" },
        loose: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 8088 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer between 0 and 65535.\n`);
    return 2;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) {
    process.stderr.write(`--cert and --key must be given together.\n`);
    return 2;
  }
  const tlsAsked = values.https === true || values.cert !== undefined;
  if (values["ca-file"] !== undefined && !tlsAsked) {
    process.stderr.write(`--ca-file needs --https (or --cert and --key).\n`);
    return 2;
  }
  const entraClientId = values["entra-client-id"];
  const entraClientSecret = values["entra-client-secret"];
  if ((entraClientId === undefined) !== (entraClientSecret === undefined) || (values["entra-tenant"] !== undefined && entraClientId === undefined)) {
    process.stderr.write(`--entra-client-id and --entra-client-secret must be given together (--entra-tenant only with them).\n`);
    return 2;
  }
  if (entraClientId !== undefined && !tlsAsked) {
    process.stderr.write(`--entra-client-id needs --https (or --cert and --key): MSAL accepts only https authorities.\n`);
    return 2;
  }
  const pem = values.cert && values.key ? await readPemFiles(values.cert, values.key) : undefined;
  let emulator;
  try {
    emulator = await startIdentityEmulator({
      port,
      host: values.host,
      https: values.https,
      cert: pem?.cert,
      key: pem?.key,
      accessKey: values["access-key"],
      location: values.location,
      loose: values.loose,
      // One line per request, as it is answered (with why, for a refusal).
      log: values.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
      entraAuthority:
        entraClientId !== undefined && entraClientSecret !== undefined
          ? { tenantId: values["entra-tenant"], clientId: entraClientId, clientSecret: entraClientSecret }
          : undefined,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      process.stderr.write(`Port ${port} on ${values.host ?? "127.0.0.1"} is already in use. Use --port 0 to pick a free port (it is printed), or another --port.\n`);
      return 1;
    }
    throw error;
  }
  // Written before anything is printed: whoever reads the endpoint may use the file at once.
  const caFile = values["ca-file"] === undefined ? undefined : path.resolve(values["ca-file"]);
  if (caFile !== undefined && emulator.ca !== undefined) {
    try {
      await writeFile(caFile, emulator.ca);
    } catch (error) {
      await emulator.close();
      throw new Error(`cannot write --ca-file ${caFile}: ${(error as Error).message}`, { cause: error });
    }
  }
  // Handlers go in before anything is printed: a supervisor may signal as soon as it reads the endpoint.
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      const answered = emulator.requests().at(-1)?.seq ?? 0;
      emulator.close().then(
        () => {
          const state = values.location ? `state kept in ${values.location}` : "in-memory state discarded";
          process.stdout.write(`Communication Identity emulator stopped (${signal}) after ${answered} request${answered === 1 ? "" : "s"}; ${state}.\n`);
          resolve(0);
        },
        (error: unknown) => {
          process.stderr.write(`Emulator did not close cleanly: ${(error as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  const lines = [
    `Communication Identity emulator listening on ${emulator.endpoint}`,
    `endpoint: ${emulator.endpoint}`,
    `connection string: ${emulator.connectionString}`,
    `state: ${values.location ? `durable in ${values.location}` : "in memory"}`,
    `inspector: ${emulator.endpoint}_emulator/ (control API: ${emulator.endpoint}_emulator/identities, /requests, /faults, …)`,
  ];
  if (caFile !== undefined) {
    lines.push(`CA written to ${caFile}: trust it with NODE_EXTRA_CA_CERTS=${caFile} (Node), REQUESTS_CA_BUNDLE=${caFile} (Python)`);
  } else if (emulator.ca && !pem) {
    lines.push("trust this CA (clientOptions tlsOptions.ca / NODE_EXTRA_CA_CERTS):", emulator.ca.trim());
  }
  if (emulator.spkiPin) lines.push(`chromium: --ignore-certificate-errors-spki-list=${emulator.spkiPin}`);
  if (entraClientId !== undefined) {
    lines.push(
      `entra authority: AZURE_AUTHORITY_HOST=${emulator.endpoint} AZURE_TENANT_ID=${values["entra-tenant"] ?? "adfs"} AZURE_CLIENT_ID=${entraClientId} (AZURE_CLIENT_SECRET: the --entra-client-secret given)`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return stopped;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`communication-identity-emulator: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
