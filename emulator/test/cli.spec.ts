import { build } from "esbuild";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startIdentityEmulator } from "../src/index.js";
import { rawRequest, signedRequest } from "../../test/helpers/emulatorSigner.js";
import { emulatorRoot as root, startCli } from "./helpers/cliProcess.js";

const run = (args: string[], command?: string[]) => startCli(args, process.env, command);

describe("communication-identity-emulator CLI", () => {
  it("prints the endpoint and connection string, serves requests, and exits 0 on SIGTERM", async () => {
    const cli = run(["--port", "0"]);
    const [, endpoint] = await cli.waitFor(/endpoint: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    const [, connectionString] = await cli.waitFor(/connection string: (endpoint=\S+;accesskey=\S+)\n/);
    expect(connectionString.startsWith(`endpoint=${endpoint};`)).toBe(true);
    const res = await signedRequest({ endpoint, connectionString }, "POST", "/identities?api-version=2023-10-01");
    expect(res.status).toBe(201);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });

  it("serves HTTPS with --https and prints the CA to trust; exits 0 on SIGINT", async () => {
    const cli = run(["--port", "0", "--https"]);
    const [, endpoint] = await cli.waitFor(/endpoint: (https:\/\/127\.0\.0\.1:\d+\/)\n/);
    const [ca] = await cli.waitFor(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
    const res = await rawRequest(`${endpoint}nowhere`, { ca });
    expect(res.status).toBe(404);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
  });

  it("loses no acknowledged write when killed with SIGKILL under load", async () => {
    const location = mkdtempSync(path.join(tmpdir(), "emulator-kill-"));
    try {
      const cli = run(["--port", "0", "--location", location]);
      const [, endpoint] = await cli.waitFor(/endpoint: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
      const [, connectionString] = await cli.waitFor(/connection string: (endpoint=\S+;accesskey=\S+)\n/);
      const acknowledged = new Map<string, string>();
      let stop = false;
      const writer = async (n: number) => {
        for (let i = 0; !stop; i++) {
          const customId = `w${n}-${i}`;
          try {
            const res = await signedRequest({ endpoint, connectionString }, "POST", "/identities?api-version=2025-03-02-preview", { body: { customId } });
            if (res.status === 201) acknowledged.set(customId, res.json.identity.id);
          } catch {
            return; // the process died under this request: it was never acknowledged
          }
        }
      };
      const writers = Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(writer));
      await new Promise((resolve) => setTimeout(resolve, 400));
      cli.child.kill("SIGKILL");
      stop = true;
      await writers;
      await cli.exited;
      expect(acknowledged.size).toBeGreaterThan(10);

      const restarted = await startIdentityEmulator({ port: 0, location });
      try {
        for (const [customId, id] of acknowledged) {
          const res = await signedRequest(restarted, "POST", "/identities?api-version=2025-03-02-preview", { body: { customId } });
          expect(res.json.identity.id).toBe(id);
        }
      } finally {
        await restarted.close();
      }
    } finally {
      rmSync(location, { recursive: true, force: true });
    }
  });

  it("prints help and rejects unknown flags", async () => {
    const help = run(["--help"]);
    const [usage] = await help.waitFor(/Usage: communication-identity-emulator[\s\S]*--location/);
    expect(usage).toContain("--access-key");
    expect(usage).toContain("--ca-file");
    expect(await help.exited).toBe(0);
    const bad = run(["--bogus"]);
    expect(await bad.exited).toBe(2);
  });

  it("keeps its shebang and runs when bundled like the published bin", async () => {
    const outfile = path.join(mkdtempSync(path.join(tmpdir(), "emulator-cli-")), "cli.cjs");
    try {
      await build({ entryPoints: [`${root}src/cli.ts`], bundle: true, platform: "node", format: "cjs", target: "node20", outfile, logLevel: "silent" });
      expect(readFileSync(outfile, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
      const bundled = run(["--port", "0"], [outfile]);
      await bundled.waitFor(/connection string: endpoint=/);
      bundled.child.kill("SIGTERM");
      expect(await bundled.exited).toBe(0);
    } finally {
      rmSync(path.dirname(outfile), { recursive: true, force: true });
    }
  });
});
