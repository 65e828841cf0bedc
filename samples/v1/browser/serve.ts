/**
 * Serves the browser sample: starts the identity emulator, bundles src/main.ts for browsers with
 * esbuild, and serves the page on http://127.0.0.1:5173 (PORT to change it). Ctrl+C stops both.
 *
 *   npx tsx serve.ts
 */
import * as esbuild from "esbuild";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";

export interface SampleServer {
  /** The page: open it in a browser. */
  url: string;
  emulator: IdentityEmulator;
  close(): Promise<void>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Bundles the page script the way an app would: esbuild picks the package's "browser" export. */
export async function bundlePage(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [here("./src/main.ts")],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "warning",
  });
  return result.outputFiles[0].text;
}

export async function startSampleServer(options: { port?: number; emulatorPort?: number } = {}): Promise<SampleServer> {
  const [html, script] = await Promise.all([readFile(here("./index.html"), "utf8"), bundlePage()]);
  // The emulator answers the page's cross-origin requests (CORS) on its own port.
  const emulator = await startIdentityEmulator({ host: "127.0.0.1", port: options.emulatorPort ?? 0 });
  const emulatorInfo = JSON.stringify({ endpoint: emulator.endpoint, connectionString: emulator.connectionString });

  const files: Record<string, { type: string; body: string }> = {
    "/": { type: "text/html; charset=utf-8", body: html },
    "/main.js": { type: "text/javascript; charset=utf-8", body: script },
    "/emulator.json": { type: "application/json", body: emulatorInfo },
  };
  const server = createServer((request, response) => {
    const file = files[new URL(request.url ?? "/", "http://localhost").pathname];
    response.writeHead(file ? 200 : 404, { "content-type": file?.type ?? "text/plain", "cache-control": "no-store" });
    response.end(file?.body ?? "Not found");
  });
  try {
    await listen(server, options.port ?? 5173);
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    emulator,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await emulator.close();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sample = await startSampleServer({ port: process.env.PORT ? Number(process.env.PORT) : undefined });
  console.log(`Open ${sample.url} (emulator at ${sample.emulator.endpoint}). Ctrl+C to stop.`);
  const stop = () => void sample.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
