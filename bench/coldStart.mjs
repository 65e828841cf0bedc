// Cold start, in a fresh plain-node process (no tsx: a loader would distort the figure):
//   node bench/coldStart.mjs <official|ours|floor> import
//       imports the client's module and prints {"importMs":…} (the bare import, timed in-process);
//   node bench/coldStart.mjs <official|ours|floor> first-response <endpoint>
//       imports, constructs, sends createUserAndToken, prints {"importMs":…,"sinceStartMs":…} on success.
// The parent times spawn → that line. The access key comes from BENCH_ACCESS_KEY.
import { pathToFileURL } from "node:url";

const [which, mode, endpoint] = process.argv.slice(2);

const started = performance.now();
let module;
if (which === "official") module = await import("@azure/communication-identity");
else if (which === "ours") {
  // The run's private copy of dist/ (see clients.mjs), else the package by its own name.
  const entry = process.env.BENCH_OURS_ENTRY;
  module = await import(entry ? pathToFileURL(entry).href : "communication-identity");
}
else if (which === "floor") module = await import("./floorClient.mjs");
else throw new Error(`unknown client ${which}`);
const importMs = performance.now() - started;

if (mode === "import") {
  process.stdout.write(`${JSON.stringify({ importMs })}\n`);
  process.exit(0);
}
if (mode !== "first-response") throw new Error(`unknown mode ${mode}`);

const accessKey = process.env.BENCH_ACCESS_KEY;
let result;
if (which === "floor") {
  const client = module.createFloorClient({ endpoint, accessKey });
  result = await client.createUserAndToken(["chat", "voip"]);
  client.close();
} else {
  const client = new module.CommunicationIdentityClient(`endpoint=${endpoint};accesskey=${accessKey}`, {
    allowInsecureConnection: true,
  });
  result = await client.createUserAndToken(["chat", "voip"]);
}
if (typeof result?.token !== "string" || !(result.expiresOn instanceof Date)) throw new Error("unexpected result");
process.stdout.write(`${JSON.stringify({ importMs, sinceStartMs: performance.now() })}\n`);
process.exit(0);
