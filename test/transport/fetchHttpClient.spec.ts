import { createServer, type Server } from "node:http";
import { createHttpHeaders, createPipelineRequest, isRestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHttpClient } from "../../src/transport/fetchHttpClient.js";

// The browser build's transport, run on Node's fetch against a local server.
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk));
    request.on("end", () => {
      response.writeHead(201, { "content-type": "application/json", "ms-cv": "cv-1" });
      response.end(JSON.stringify({ method: request.method, body, probe: request.headers["x-probe"] }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const client = createFetchHttpClient();
const request = (init: Partial<Parameters<typeof createPipelineRequest>[0]> = {}) =>
  createPipelineRequest({ url: `${base}/identities`, method: "POST", allowInsecureConnection: true, headers: createHttpHeaders({ "x-probe": "p" }), ...init });

describe("createFetchHttpClient", () => {
  it("sends method, headers and body, and answers status, headers and text", async () => {
    const response = await client.sendRequest(request({ body: '{"a":1}' }));
    expect(response.status).toBe(201);
    expect(response.headers.get("ms-cv")).toBe("cv-1");
    expect(JSON.parse(response.bodyAsText!)).toEqual({ method: "POST", body: '{"a":1}', probe: "p" });
  });

  it("reports onDownloadProgress and still answers the whole text", async () => {
    const loaded: number[] = [];
    const response = await client.sendRequest(request({ onDownloadProgress: ({ loadedBytes }) => loaded.push(loadedBytes) }));
    expect(loaded.at(-1)).toBe(new TextEncoder().encode(response.bodyAsText!).length);
  });

  it("refuses http:// without allowInsecureConnection, with core's message", async () => {
    await expect(client.sendRequest(request({ allowInsecureConnection: false }))).rejects.toThrow(`Cannot connect to ${base}/identities while allowInsecureConnection is false.`);
  });

  it("rejects an already aborted signal with AbortError and sends nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client.sendRequest(request({ abortSignal: controller.signal }))).rejects.toMatchObject({ name: "AbortError" });
  });

  it("turns a connection failure into a RestError REQUEST_SEND_ERROR", async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const error = await client.sendRequest(request({ url: `http://127.0.0.1:${port}/identities` })).catch((e: unknown) => e);
    expect(isRestError(error)).toBe(true);
    expect(error).toMatchObject({ code: "REQUEST_SEND_ERROR", message: expect.stringMatching(/^Error sending request: /) });
  });
});
