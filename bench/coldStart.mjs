// Cold start, in a fresh plain-node process (no tsx: a loader would distort the figure):
//   node bench/coldStart.mjs <official|ours|floor> import
//       imports the client's module and prints {"importMs":…} (the bare import, timed in-process);
//   node bench/coldStart.mjs <official|ours|floor> first-response <endpoint>
//       imports, constructs, sends createUserAndToken, prints {"importMs":…,"sinceStartMs":…} on success.
// The parent times spawn → that line. The access key comes from BENCH_ACCESS_KEY. Clients are
// imported and built by clients.mjs, as in clientWorker.mjs, so both measure the same three clients.
import { checkResult, importClientModule, makeClient } from "./clients.mjs";

const [which, mode, endpoint] = process.argv.slice(2);

const { module, importMs } = await importClientModule(which);

if (mode === "import") {
  process.stdout.write(`${JSON.stringify({ importMs })}\n`);
  process.exit(0);
}
if (mode !== "first-response") throw new Error(`unknown mode ${mode}`);

const client = makeClient(which, module, { endpoint, accessKey: process.env.BENCH_ACCESS_KEY });
checkResult("createUserAndToken", await client.createUserAndToken());
client.close();
process.stdout.write(`${JSON.stringify({ importMs, sinceStartMs: performance.now() })}\n`);
process.exit(0);
