// Runs the emulator alone in this process so the parent can load it from outside: the run's private
// copy of emulator/dist (BENCH_EMULATOR_ENTRY), else ../emulator/dist/index.js. Sends
// {"connectionString":…} to the parent over IPC (not stdout: it holds the key) and stays up until
// the parent disconnects.
import { pathToFileURL } from "node:url";

const entry = process.env.BENCH_EMULATOR_ENTRY;
const { startIdentityEmulator } = await import(entry ? pathToFileURL(entry).href : "../emulator/dist/index.js");
const emulator = await startIdentityEmulator({ port: 0 });
process.send({ connectionString: emulator.connectionString });
// The parent asks for this process's CPU time around each window: CPU per request does not depend
// on how busy the machine is, req/s does.
process.on("message", (message) => {
  if (message === "cpu") process.send({ cpu: process.cpuUsage() });
});
process.on("disconnect", async () => {
  await emulator.close();
  process.exit(0);
});
