#!/usr/bin/env node
/** `communication-identity-emulator`: runs the identity emulator until SIGINT/SIGTERM. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { ACCESS_KEY_ENV, CLI_OPTIONS, describeParseError, ENTRA_CLIENT_SECRET_ENV, USAGE } from "./cliOptions.js";
import { readPemFiles, startIdentityEmulator } from "./index.js";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: CLI_OPTIONS, strict: true }));
  } catch (error) {
    process.stderr.write(`${describeParseError(error)}\n\n${USAGE}`);
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
  // The environment variable keeps the secret out of the process list; an empty one counts as unset.
  const secretFromEnvironment = process.env[ENTRA_CLIENT_SECRET_ENV] || undefined;
  const entraClientSecret = values["entra-client-secret"] ?? (entraClientId === undefined ? undefined : secretFromEnvironment);
  if ((entraClientId === undefined) !== (entraClientSecret === undefined) || (values["entra-tenant"] !== undefined && entraClientId === undefined)) {
    process.stderr.write(
      `--entra-client-id and --entra-client-secret (or ${ENTRA_CLIENT_SECRET_ENV}) must be given together (--entra-tenant only with them).\n`,
    );
    return 2;
  }
  if (entraClientId !== undefined && !tlsAsked) {
    process.stderr.write(`--entra-client-id needs --https (or --cert and --key): MSAL accepts only https authorities.\n`);
    return 2;
  }
  // As the client secret: the environment variable keeps the key out of the process list; the flag wins, an empty one counts as unset.
  const accessKey = values["access-key"] ?? (process.env[ACCESS_KEY_ENV] || undefined);
  const pem = values.cert && values.key ? await readPemFiles(values.cert, values.key) : undefined;
  let emulator;
  try {
    emulator = await startIdentityEmulator({
      port,
      host: values.host,
      https: values.https,
      cert: pem?.cert,
      key: pem?.key,
      accessKey,
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
      `entra authority: AZURE_AUTHORITY_HOST=${emulator.endpoint} AZURE_TENANT_ID=${values["entra-tenant"] ?? "adfs"} AZURE_CLIENT_ID=${entraClientId} (AZURE_CLIENT_SECRET: the ${values["entra-client-secret"] === undefined ? ENTRA_CLIENT_SECRET_ENV : "--entra-client-secret"} given)`,
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
