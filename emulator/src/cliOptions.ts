/** The CLI's options (what `parseArgs` accepts) and its `--help` text; the api-versions come from the generated table. */
import type { ParseArgsConfig } from "node:util";
import { apiVersions } from "./generated/routeTable.js";

/** Read when `--entra-client-secret` is not given, so the secret need not appear in the process list. */
export const ENTRA_CLIENT_SECRET_ENV = "COMMUNICATION_EMULATOR_ENTRA_CLIENT_SECRET";

/** Read when `--access-key` is not given, so the key need not appear in the process list. */
export const ACCESS_KEY_ENV = "COMMUNICATION_EMULATOR_ACCESS_KEY";

export const CLI_OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  https: { type: "boolean" },
  "ca-file": { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  "access-key": { type: "string" },
  location: { type: "string" },
  "entra-client-id": { type: "string" },
  "entra-client-secret": { type: "string" },
  "entra-tenant": { type: "string" },
  quiet: { type: "boolean" },
  loose: { type: "boolean" },
  help: { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

export const USAGE = `Usage: communication-identity-emulator [options]

Runs a local Azure Communication Services identity emulator. It serves the api-versions
${apiVersions.join(", ")}.

Options:
  --port <n>          port to listen on (default 8088; 0 picks a free port)
  --host <addr>       interface to bind (default 127.0.0.1)
  --https             serve HTTPS with a certificate made at start (kept in --location if given)
  --ca-file <path>    write the CA to trust to this file (else its PEM is printed); with --https or --cert
  --cert <file>       PEM certificate for HTTPS (with --key)
  --key <file>        PEM private key for HTTPS (with --cert)
  --access-key <b64>  access key of the emulated resource (default: random, or the one stored in --location).
                      Instead of --access-key (which the process list shows), set ${ACCESS_KEY_ENV}.
  --location <dir>    keep state (and the HTTPS CA and certificate) in this directory across restarts
                      (default: in memory)
  --entra-client-id <id>
  --entra-client-secret <secret>
                      also serve a local Entra ID authority (needs --https) that issues bearer tokens to
                      this client: AZURE_AUTHORITY_HOST=<endpoint>, AZURE_TENANT_ID, AZURE_CLIENT_ID,
                      AZURE_CLIENT_SECRET for @azure/identity. Instead of --entra-client-secret (which
                      the process list shows), set ${ENTRA_CLIENT_SECRET_ENV}.
  --entra-tenant <id> the authority's tenant (default adfs, which spares MSAL its instance discovery)
  --quiet             do not print a line per request (the stop line is still printed)
  --loose             accept api-versions the emulator does not know, served as the newest it knows
  --help              show this help

Control API and inspector: open <endpoint>_emulator/ in a browser; curl <endpoint>_emulator/identities, …
(see the README). Without credentials they answer loopback callers only.
`;

/** A parse error's message, naming the option but never echoing a value (which may be a secret). */
export function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return "Unexpected argument: every value must follow its option (--name value).";
  return message ?? String(error);
}
