#!/usr/bin/env node
/** `communication-identity-emulator`: runs the identity emulator until SIGINT/SIGTERM. */
import { parseArgs } from "node:util";
import { readPemFiles, startIdentityEmulator } from "./index.js";

const USAGE = `Usage: communication-identity-emulator [options]

Runs a local Azure Communication Services identity emulator (api-versions 2023-10-01, 2025-03-02-preview).

Options:
  --port <n>          port to listen on (default 8088; 0 picks a free port)
  --host <addr>       interface to bind (default 127.0.0.1)
  --https             serve HTTPS with a certificate made at start (its CA PEM is printed)
  --cert <file>       PEM certificate for HTTPS (with --key)
  --key <file>        PEM private key for HTTPS (with --cert)
  --access-key <b64>  access key of the emulated resource (default: random, or the one stored in --location)
  --location <dir>    keep state in this directory across restarts (default: in memory)
  --help              show this help
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
  const pem = values.cert && values.key ? await readPemFiles(values.cert, values.key) : undefined;
  const emulator = await startIdentityEmulator({
    port,
    host: values.host,
    https: values.https,
    cert: pem?.cert,
    key: pem?.key,
    accessKey: values["access-key"],
    location: values.location,
  });
  // Handlers go in before anything is printed: a supervisor may signal as soon as it reads the endpoint.
  const stopped = new Promise<number>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      emulator.close().then(
        () => resolve(0),
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
  ];
  if (emulator.ca && !pem) lines.push("trust this CA (clientOptions tlsOptions.ca / NODE_EXTRA_CA_CERTS):", emulator.ca.trim());
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
