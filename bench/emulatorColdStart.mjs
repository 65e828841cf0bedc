// The emulator's cold start, in a fresh plain-node process (issue 11: the certificate library must
// not load for HTTP):
//   node bench/emulatorColdStart.mjs emulator <entry>   imports the emulator build, starts it over
//       HTTP on a free port, sends one signed createUser and prints {"status":201} once it is answered;
//   node bench/emulatorColdStart.mjs node-http           the same with a minimal node:http server
//       that answers 201 without checking anything (the floor).
// The parent times spawn → that line. Both sides sign the request with the same code.
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { pathToFileURL } from "node:url";
import { signRequest } from "./floorClient.mjs";

const [which, entry] = process.argv.slice(2);
const accessKey = randomBytes(32).toString("base64");

async function startServer() {
  if (which === "emulator") {
    const { startIdentityEmulator } = await import(pathToFileURL(entry).href);
    const emulator = await startIdentityEmulator({ port: 0, accessKey });
    return { endpoint: emulator.endpoint, close: () => emulator.close() };
  }
  if (which !== "node-http") throw new Error(`unknown server ${which}`);
  const { createServer } = await import("node:http");
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(201, { "content-type": "application/json" });
      res.end('{"identity":{"id":"8:acs:floor"}}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { endpoint: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const server = await startServer();
const url = new URL("identities?api-version=2023-10-01", server.endpoint);
const headers = signRequest({ method: "POST", url, body: "", key: Buffer.from(accessKey, "base64") });
const status = await new Promise((resolve, reject) => {
  const req = request(url, { method: "POST", headers: { ...headers, "content-type": "application/json", "content-length": "0" } }, (res) => {
    res.resume();
    res.on("end", () => resolve(res.statusCode));
  });
  req.on("error", reject);
  req.end();
});
if (status !== 201) throw new Error(`the first signed request got ${status}`);
process.stdout.write(`${JSON.stringify({ status })}\n`);
await server.close();
process.exit(0);
