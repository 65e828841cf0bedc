/**
 * See what the client sends and receives: set AZURE_LOG_LEVEL=info in the environment (or .env),
 * or call setLogLevel in code. Authorization headers and tokens are redacted from the log.
 */
import { createSampleClient } from "./env.js";
import { AzureLogger, setLogLevel } from "@azure/logger";
import { format } from "node:util";

// Logs go to stderr by default; send them anywhere by replacing AzureLogger.log (here: stdout, one line each).
AzureLogger.log = (...args) => console.log(`  [log] ${format(...args).replace(/\s*\n\s*/g, " ")}`);
if (!process.env.AZURE_LOG_LEVEL) setLogLevel("info");

const { client, close } = await createSampleClient();
try {
  const user = await client.createUser();
  console.log(`Created ${user.communicationUserId} with logging at level ${process.env.AZURE_LOG_LEVEL ?? "info"}`);
} finally {
  await close();
}
