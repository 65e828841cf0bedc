import net from "node:net";
import { describe, expect, it } from "vitest";
import { createPipelineRequest } from "@azure/core-rest-pipeline";
import { startTsxChild } from "../helpers/tsxChild.js";
import { createNodeHttpClient } from "../../src/transport/nodeHttpClient.js";
import { serverPerTest, waitFor } from "./testServers.js";

// The HTTP/1.1 framing the transport parses itself (what node:http used to do for it).

const serve = serverPerTest();

const get = (url: string) => createPipelineRequest({ url, allowInsecureConnection: true });

describe("the HTTP/1.1 transport", () => {
  it("skips interim 1xx answers and reads the final one", async () => {
    const server = await serve((_req, res) => {
      res.writeEarlyHints({ link: "</style.css>; rel=preload" });
      res.end("final");
    });
    const response = await createNodeHttpClient().sendRequest(get(server.url));
    expect(response.status).toBe(200);
    expect(response.bodyAsText).toBe("final");
  });

  it("reads a chunked body with trailers, and keeps trailers out of the headers", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { Trailer: "x-checksum" });
      res.write("one,");
      res.write("two");
      res.addTrailers({ "x-checksum": "abc" });
      res.end();
    });
    const client = createNodeHttpClient();
    const response = await client.sendRequest(get(server.url));
    expect(response.bodyAsText).toBe("one,two");
    expect(response.headers.get("x-checksum")).toBeUndefined();
    // The connection stays usable after the trailers.
    expect((await client.sendRequest(get(server.url))).bodyAsText).toBe("one,two");
    expect(server.connections).toBe(1);
  });

  it("reads a body framed by the connection closing, and does not reuse that connection", async () => {
    const server = await serve((_req, res) => {
      res.useChunkedEncodingByDefault = false;
      res.shouldKeepAlive = false;
      res.write("until ");
      res.end("close");
    });
    const client = createNodeHttpClient();
    expect((await client.sendRequest(get(server.url))).bodyAsText).toBe("until close");
    expect((await client.sendRequest(get(server.url))).bodyAsText).toBe("until close");
    expect(server.connections).toBe(2);
  });

  it("opens a new connection after the server closed the idle one", async () => {
    const server = await serve((req, res) => {
      res.end("ok");
      // Closes the connection once this answer is written, as a server's idle timeout would later.
      res.on("finish", () => setImmediate(() => req.socket.end()));
    });
    const client = createNodeHttpClient();
    await client.sendRequest(get(server.url));
    await waitFor(() => server.closedConnections === 1);
    expect((await client.sendRequest(get(server.url))).bodyAsText).toBe("ok");
    expect(server.connections).toBe(2);
  });

  it("rejects an answer that is not HTTP with a RestError", async () => {
    const sockets = new Set<net.Socket>();
    const raw = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.end("SSH-2.0-OpenSSH_9.6\r\n\r\n");
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    const port = (raw.address() as net.AddressInfo).port;
    const error = await createNodeHttpClient()
      .sendRequest(get(`http://127.0.0.1:${port}/`))
      .catch((e: unknown) => e as Error & { code?: string; name?: string });
    expect(error).toMatchObject({ name: "RestError" });
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => raw.close(() => resolve()));
  });

  it("never keeps the process alive with an idle keep-alive socket", async () => {
    const server = await serve((_req, res) => res.end("ok"));
    const child = startTsxChild(new URL("./children/idleSocketExit.ts", import.meta.url).pathname, { env: { TARGET_URL: server.url } });
    expect(await child.next()).toEqual({ status: 200 });
    expect(await child.exited).toBe(0);
    // The socket was still open (kept alive) when the process ended on its own.
    expect(server.connections).toBe(1);
  });
});
