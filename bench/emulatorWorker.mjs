// Runs the emulator (dist/emulator/index.js) alone in this process so the parent can load it from
// outside. Sends {"connectionString":…} to the parent over IPC (not stdout: it holds the key) and
// stays up until the parent disconnects.
const { startIdentityEmulator } = await import("../dist/emulator/index.js");
const emulator = await startIdentityEmulator({ port: 0 });
process.send({ connectionString: emulator.connectionString });
process.on("disconnect", async () => {
  await emulator.close();
  process.exit(0);
});
