import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import { createPipelineRequest } from "@azure/core-rest-pipeline";
import { createHttpClient } from "../../src/transport/createHttpClient.js";
import { createHttpClient as createBrowserHttpClient } from "../../src/transport/createHttpClient-browser.js";
import { startServer, type TestServer } from "./testServers.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === "/stall") {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
      return;
    }
    res.end("hello");
  });
});
afterAll(async () => {
  await server?.close();
});

describe("createHttpClient (Node build)", () => {
  it("returns the lean client, whose timeout also covers a stalled body (core's does not)", async () => {
    const client = createHttpClient();
    const ok = await client.sendRequest(createPipelineRequest({ url: server.url, allowInsecureConnection: true }));
    expect(ok.bodyAsText).toBe("hello");
    const stalled = client.sendRequest(
      createPipelineRequest({ url: `${server.url}/stall`, allowInsecureConnection: true, timeout: 100 }),
    );
    const outcome = await Promise.race([
      stalled.then(
        () => "resolved",
        (error: Error) => error.name,
      ),
      new Promise((resolve) => setTimeout(() => resolve("still pending"), 1500)),
    ]);
    expect(outcome).toBe("AbortError");
  });
});

describe("createHttpClient (browser build)", () => {
  it("returns core's default client, which still works", async () => {
    const response = await createBrowserHttpClient().sendRequest(
      createPipelineRequest({ url: server.url, allowInsecureConnection: true }),
    );
    expect(response.bodyAsText).toBe("hello");
  });

  it("bundles for the browser without any node: module", async () => {
    const entry = fileURLToPath(new URL("../../src/transport/createHttpClient-browser.ts", import.meta.url));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes("transport/nodeHttpClient"))).toBe(false);
    expect(inputs.some((path) => path.startsWith("node:"))).toBe(false);
    expect(result.outputFiles[0].text).not.toMatch(/from\s*["']node:/);
  });
});
