import http from "node:http";
import { getEventListeners } from "node:events";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  decompressResponsePolicy,
  defaultRetryPolicy,
  isRestError,
  type PipelineRequest,
  type PipelineRequestOptions,
} from "@azure/core-rest-pipeline";
import { createNodeHttpClient } from "../../src/transport/nodeHttpClient.js";
import { rejectionOf } from "../helpers/rejectionOf.js";
import { closedPort, serverPerTest, waitFor, type Handler } from "./testServers.js";

const serve = serverPerTest();

const ok: Handler = (_req, res) => res.end("ok");

/** A request to `url`; `agent` is assigned afterwards because createPipelineRequest does not copy it. */
function request(
  url: string,
  { agent, ...options }: Omit<PipelineRequestOptions, "url"> & { agent?: http.Agent } = {},
): PipelineRequest {
  const req = createPipelineRequest({ url, allowInsecureConnection: true, ...options });
  if (agent) req.agent = agent;
  return req;
}

const rejection = (promise: Promise<unknown>) => rejectionOf<Error & { code?: string; request?: unknown }>(promise);

describe("createNodeHttpClient", () => {
  describe("request bodies", () => {
    it("sends a GET without a body or Content-Length and returns status, headers and text", async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain", "x-answer": "42" });
        res.end("héllo wörld");
      });
      const req = request(`${server.url}/path/to?x=1&y=%20`);
      const response = await createNodeHttpClient().sendRequest(req);
      expect(response.status).toBe(200);
      expect(response.bodyAsText).toBe("héllo wörld");
      expect(response.headers.get("x-answer")).toBe("42");
      expect(response.request).toBe(req);
      expect(server.requests[0].method).toBe("GET");
      expect(server.requests[0].url).toBe("/path/to?x=1&y=%20");
      expect(server.requests[0].headers["content-length"]).toBeUndefined();
      expect(server.requests[0].body.length).toBe(0);
    });

    it("sends a string body as UTF-8 with its byte length", async () => {
      const server = await serve(ok);
      const body = '{"name":"héllo €"}';
      await createNodeHttpClient().sendRequest(request(server.url, { method: "POST", body }));
      const seen = server.requests[0];
      expect(seen.method).toBe("POST");
      expect(seen.body.equals(Buffer.from(body, "utf8"))).toBe(true);
      expect(seen.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    });

    it("sends Uint8Array bytes exactly, honouring a view's offset", async () => {
      const server = await serve(ok);
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const client = createNodeHttpClient();
      await client.sendRequest(request(server.url, { method: "PUT", body: all }));
      await client.sendRequest(request(server.url, { method: "POST", body: all.subarray(10, 20) }));
      expect(server.requests[0].body.equals(Buffer.from(all))).toBe(true);
      expect(server.requests[0].headers["content-length"]).toBe("256");
      expect([...server.requests[1].body]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(server.requests[1].headers["content-length"]).toBe("10");
    });

    it("puts arbitrary strings and bytes on the wire unchanged, echoed back as UTF-8", async () => {
      const server = await serve((_req, res, seen) => res.end(seen.body));
      const client = createNodeHttpClient();
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string({ unit: "grapheme", minLength: 1 }), fc.uint8Array({ minLength: 1 })), async (body) => {
          const before = server.requests.length;
          const response = await client.sendRequest(request(server.url, { method: "POST", body }));
          const sent = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
          expect(server.requests[before].body.equals(sent)).toBe(true);
          expect(server.requests[before].headers["content-length"]).toBe(String(sent.length));
          expect(response.bodyAsText).toBe(sent.toString("utf8"));
        }),
        { numRuns: 60 },
      );
    });

    it("decodes a multi-chunk response whose UTF-8 characters straddle chunks", async () => {
      const euro = Buffer.from("a€b", "utf8");
      const server = await serve((_req, res) => {
        res.write(euro.subarray(0, 2));
        setTimeout(() => res.end(euro.subarray(2)), 20);
      });
      const response = await createNodeHttpClient().sendRequest(request(server.url));
      expect(response.bodyAsText).toBe("a€b");
    });

    it("keeps a Content-Length the caller set", async () => {
      const server = await serve(ok);
      const req = request(server.url, { method: "POST", body: "abc" });
      req.headers.set("Content-Length", 3);
      await createNodeHttpClient().sendRequest(req);
      expect(server.requests[0].rawHeaders.filter((h) => h.toLowerCase() === "content-length")).toHaveLength(1);
      expect(server.requests[0].body.toString()).toBe("abc");
    });

    it("returns an empty string for an empty body and no body at all for HEAD", async () => {
      const server = await serve((_req, res) => {
        res.writeHead(204);
        res.end();
      });
      const client = createNodeHttpClient();
      expect((await client.sendRequest(request(server.url, { method: "DELETE" }))).bodyAsText).toBe("");
      const head = await client.sendRequest(request(server.url, { method: "HEAD" }));
      expect(head.status).toBe(204);
      expect(head.bodyAsText).toBeUndefined();
    });
  });

  describe("keep-alive", () => {
    it("reuses one socket for many sequential requests", async () => {
      const server = await serve(ok);
      const client = createNodeHttpClient();
      for (let i = 0; i < 50; i++) {
        const body = i % 2 === 0 ? `n=${i}` : undefined;
        const response = await client.sendRequest(request(server.url, { method: body ? "POST" : "GET", body }));
        expect(response.bodyAsText).toBe("ok");
      }
      expect(server.requests).toHaveLength(50);
      expect(server.connections).toBe(1);
    });

    it("opens a fresh connection per request when disableKeepAlive is set", async () => {
      const server = await serve(ok);
      const client = createNodeHttpClient();
      for (let i = 0; i < 3; i++) {
        await client.sendRequest(request(server.url, { disableKeepAlive: true }));
      }
      expect(server.connections).toBe(3);
    });

    it("uses request.agent instead of its own agents", async () => {
      const server = await serve(ok);
      let created = 0;
      const agent = new http.Agent({ keepAlive: true });
      const createConnection = agent.createConnection.bind(agent);
      agent.createConnection = ((...args: Parameters<typeof createConnection>) => {
        created++;
        return createConnection(...args);
      }) as typeof agent.createConnection;
      await createNodeHttpClient().sendRequest(request(server.url, { agent }));
      expect(created).toBe(1);
      agent.destroy();
    });
  });

  describe("headers", () => {
    it("sends every request header with its case preserved", async () => {
      const server = await serve(ok);
      const headers = createHttpHeaders({ "X-Custom-Case": "One", "x-ms-date": "Sat, 28 Nov 2026 06:00:00 GMT" });
      await createNodeHttpClient().sendRequest(request(server.url, { headers }));
      const raw = server.requests[0].rawHeaders;
      expect(raw[raw.indexOf("X-Custom-Case") + 1]).toBe("One");
      expect(raw[raw.indexOf("x-ms-date") + 1]).toBe("Sat, 28 Nov 2026 06:00:00 GMT");
    });

    it("reports response headers like core: repeated values joined by Node, set-cookie first value only", async () => {
      const server = await serve((_req, res) => {
        res.setHeader("Set-Cookie", ["a=1", "b=2"]);
        res.setHeader("X-Multi", ["m1", "m2"]);
        res.setHeader("Request-Id", "abc");
        res.end();
      });
      const response = await createNodeHttpClient().sendRequest(request(server.url));
      expect(response.headers.get("set-cookie")).toBe("a=1");
      expect(response.headers.get("x-multi")).toBe("m1, m2");
      expect(response.headers.get("request-id")).toBe("abc");
    });
  });

  describe("decompression", () => {
    const text = JSON.stringify({ message: "compressed ✓".repeat(50) });
    const encoders: Record<string, (input: Buffer) => Buffer> = {
      gzip: (input) => zlib.gzipSync(input),
      deflate: (input) => zlib.deflateSync(input),
      br: (input) => zlib.brotliCompressSync(input),
    };

    for (const [encoding, encode] of Object.entries(encoders)) {
      it(`decodes a ${encoding} body`, async () => {
        const server = await serve((_req, res) => {
          res.writeHead(200, { "content-encoding": encoding });
          res.end(encode(Buffer.from(text)));
        });
        const req = request(server.url, { headers: createHttpHeaders({ "Accept-Encoding": "gzip, deflate, br" }) });
        const response = await createNodeHttpClient().sendRequest(req);
        expect(response.bodyAsText).toBe(text);
      });
    }

    it("decodes gzip negotiated by core's decompressResponsePolicy", async () => {
      const server = await serve((req, res) => {
        res.writeHead(200, { "content-encoding": "gzip" });
        res.end(zlib.gzipSync(Buffer.from(String(req.headers["accept-encoding"]))));
      });
      const pipeline = createEmptyPipeline();
      pipeline.addPolicy(decompressResponsePolicy());
      const response = await pipeline.sendRequest(createNodeHttpClient(), request(server.url));
      expect(response.bodyAsText).toBe("gzip,deflate");
    });

    it("returns an empty body labelled gzip (204, or Content-Length 0) as empty text", async () => {
      const server = await serve((req, res) => {
        res.writeHead(req.url === "/204" ? 204 : 200, { "content-encoding": "gzip", "content-length": "0" });
        res.end();
      });
      const client = createNodeHttpClient();
      for (const path of ["/204", "/200"]) {
        const req = request(server.url + path, { headers: createHttpHeaders({ "Accept-Encoding": "gzip" }) });
        expect((await client.sendRequest(req)).bodyAsText).toBe("");
      }
    });

    it("rejects a corrupt compressed body with a PARSE_ERROR RestError", async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { "content-encoding": "gzip" });
        res.end("definitely not gzip");
      });
      const req = request(server.url, { headers: createHttpHeaders({ "Accept-Encoding": "gzip" }) });
      const error = await rejection(createNodeHttpClient().sendRequest(req));
      expect(isRestError(error)).toBe(true);
      expect(error.code).toBe("PARSE_ERROR");
    });
  });

  describe("abort", () => {
    it("rejects at once without sending when the signal is already aborted", async () => {
      const server = await serve(ok);
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(
        createNodeHttpClient().sendRequest(request(server.url, { abortSignal: controller.signal })),
      );
      expect(error.name).toBe("AbortError");
      expect(error.message).toBe("The operation was aborted. Request has already been canceled.");
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.connections).toBe(0);
      expect(server.requests).toHaveLength(0);
    });

    it("destroys the request and rejects promptly when aborted in flight", async () => {
      const server = await serve(() => {
        // Never answers.
      });
      const controller = new AbortController();
      const pending = createNodeHttpClient().sendRequest(request(server.url, { abortSignal: controller.signal }));
      await waitFor(() => server.requests.length === 1);
      const abortedAt = Date.now();
      controller.abort();
      const error = await rejection(pending);
      expect(Date.now() - abortedAt).toBeLessThan(500);
      expect(error.name).toBe("AbortError");
      expect(error.message).toBe(
        "The operation was aborted. Rejecting from abort signal callback while making request.",
      );
      await waitFor(() => server.closedConnections === 1);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    });

    it("rejects with AbortError when aborted while the body is being read", async () => {
      let headSent = false;
      const server = await serve((_req, res) => {
        res.writeHead(200, { "content-length": "1000" });
        res.write("partial", () => (headSent = true));
      });
      const controller = new AbortController();
      const pending = createNodeHttpClient().sendRequest(request(server.url, { abortSignal: controller.signal }));
      await waitFor(() => headSent);
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      const error = await rejection(pending);
      expect(error.name).toBe("AbortError");
      await waitFor(() => server.closedConnections === 1);
    });

    it("rejects with AbortError when aborted while a gzip body is being decoded", async () => {
      let headSent = false;
      const gzipped = zlib.gzipSync(Buffer.from("x".repeat(10_000)));
      const server = await serve((_req, res) => {
        res.writeHead(200, { "content-encoding": "gzip", "content-length": String(gzipped.length) });
        res.write(gzipped.subarray(0, 20), () => (headSent = true));
      });
      const controller = new AbortController();
      const req = request(server.url, {
        abortSignal: controller.signal,
        headers: createHttpHeaders({ "Accept-Encoding": "gzip" }),
      });
      const pending = createNodeHttpClient().sendRequest(req);
      await waitFor(() => headSent);
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      const error = await rejection(pending);
      expect(error.name).toBe("AbortError");
      await waitFor(() => server.closedConnections === 1);
    });

    it("leaves no listeners behind after 2,000 requests sharing one signal", async () => {
      const server = await serve(ok);
      const client = createNodeHttpClient();
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const controller = new AbortController();
      const processListeners = (): number =>
        process.eventNames().reduce((sum, name) => sum + process.listenerCount(name), 0);
      const socketListeners = (): number[] =>
        Object.values(agent.freeSockets)
          .flat()
          .map((socket) => socket!.eventNames().reduce((sum, name) => sum + socket!.listenerCount(name), 0));
      const send = (i: number): Promise<unknown> =>
        client.sendRequest(
          request(server.url, { method: "POST", body: `${i}`, abortSignal: controller.signal, timeout: 5000, agent }),
        );

      await Promise.all([0, 1, 2, 3].map(send));
      const before = { process: processListeners(), sockets: socketListeners() };
      let next = 4;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 2000) await send(next++);
        }),
      );

      expect(server.requests).toHaveLength(2000);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      expect(processListeners()).toBe(before.process);
      expect(Math.max(...socketListeners())).toBeLessThanOrEqual(Math.max(...before.sockets));
      expect(server.connections).toBeLessThanOrEqual(4);
      agent.destroy();
    });
  });

  describe("timeout", () => {
    it("destroys the request and rejects like core when no response arrives in time", async () => {
      const server = await serve(() => {
        // Never answers.
      });
      const startedAt = Date.now();
      const error = await rejection(createNodeHttpClient().sendRequest(request(server.url, { timeout: 100 })));
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(90);
      expect(Date.now() - startedAt).toBeLessThan(2000);
      expect(error.name).toBe("AbortError");
      expect(error.message).toBe(
        "The operation was aborted. Rejecting from abort signal callback while making request.",
      );
      await waitFor(() => server.closedConnections === 1);
    });

    it("also fires when the body stalls after the head arrived", async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { "content-length": "1000" });
        res.write("partial");
      });
      const error = await rejection(createNodeHttpClient().sendRequest(request(server.url, { timeout: 150 })));
      expect(error.name).toBe("AbortError");
    });

    it("does not fire once the response is complete", async () => {
      const server = await serve(ok);
      const response = await createNodeHttpClient().sendRequest(request(server.url, { timeout: 50 }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(response.bodyAsText).toBe("ok");
      expect(server.closedConnections).toBe(0);
    });
  });

  describe("network errors", () => {
    it("rejects a refused connection with RestError code ECONNREFUSED carrying the request", async () => {
      const port = await closedPort();
      const req = request(`http://127.0.0.1:${port}/`, {
        headers: createHttpHeaders({ Authorization: "HMAC-SHA256 Signature=top-secret-signature" }),
      });
      const error = await rejection(createNodeHttpClient().sendRequest(req));
      expect(isRestError(error)).toBe(true);
      expect(error.code).toBe("ECONNREFUSED");
      expect(error.request).toBe(req);
      expect(JSON.stringify(error)).not.toContain("top-secret-signature");
      expect(error.message).not.toContain("top-secret-signature");
    });

    it("rejects a connection reset by the server with RestError code ECONNRESET", async () => {
      const server = await serve((req) => req.socket.destroy());
      const error = await rejection(createNodeHttpClient().sendRequest(request(server.url)));
      expect(isRestError(error)).toBe(true);
      expect(error.code).toBe("ECONNRESET");
    });

    it("gives core's retry policy an error it retries (ECONNRESET)", async () => {
      const server = await serve((req, res) => {
        if (server.requests.length === 1) req.socket.destroy();
        else res.end("second time lucky");
      });
      const pipeline = createEmptyPipeline();
      pipeline.addPolicy(defaultRetryPolicy({ maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 }));
      const response = await pipeline.sendRequest(createNodeHttpClient(), request(server.url));
      expect(response.bodyAsText).toBe("second time lucky");
      expect(server.requests).toHaveLength(2);
    });

    it("rejects a body cut short with a PARSE_ERROR RestError, like core", async () => {
      const server = await serve((req, res) => {
        res.writeHead(200, { "content-length": "1000" });
        res.write("partial", () => setTimeout(() => req.socket.destroy(), 10));
      });
      const error = await rejection(createNodeHttpClient().sendRequest(request(server.url)));
      expect(isRestError(error)).toBe(true);
      expect(error.code).toBe("PARSE_ERROR");
    });

    it("refuses http:// unless allowInsecureConnection, without sending or echoing the query", async () => {
      const server = await serve(ok);
      const req = createPipelineRequest({ url: `${server.url}/x?sig=secret-sas` });
      const error = await rejection(createNodeHttpClient().sendRequest(req));
      expect(error.message).toContain("allowInsecureConnection");
      expect(error.message).not.toContain("secret-sas");
      expect(server.connections).toBe(0);
    });
  });

  describe("invalid requests", () => {
    it("rejects (rather than throws) on a malformed URL", async () => {
      const client = createNodeHttpClient();
      let pending: Promise<unknown> | undefined;
      expect(() => (pending = client.sendRequest(request("not a url")))).not.toThrow();
      const error = await rejection(pending!);
      expect(error).toBeInstanceOf(TypeError);
    });

    it("rejects on a header value Node refuses, leaving no abort listener behind", async () => {
      const server = await serve(ok);
      const controller = new AbortController();
      const req = request(server.url, { abortSignal: controller.signal });
      req.headers.set("x-bad", "caf\u00e9\u0100");
      const error = await rejection(createNodeHttpClient().sendRequest(req));
      expect(error).toBeInstanceOf(TypeError);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      expect(server.connections).toBe(0);
    });
  });

  describe("delegation to core's client", () => {
    it("streams the response when streamResponseStatusCodes matches", async () => {
      const server = await serve((_req, res) => res.end("streamed body"));
      const req = request(server.url, { streamResponseStatusCodes: new Set([200]) });
      const response = await createNodeHttpClient().sendRequest(req);
      expect(response.bodyAsText).toBeUndefined();
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody!) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe("streamed body");
    });

    it("reads text itself when streamResponseStatusCodes is empty (core-client always sets it)", async () => {
      const server = await serve(ok);
      const response = await createNodeHttpClient().sendRequest(
        request(server.url, { streamResponseStatusCodes: new Set() }),
      );
      expect(response.bodyAsText).toBe("ok");
      expect(response.readableStreamBody).toBeUndefined();
    });

    it("sends stream bodies and reports upload progress", async () => {
      const server = await serve(ok);
      const progress: number[] = [];
      const req = request(server.url, {
        method: "POST",
        body: () => Readable.from([Buffer.from("part1-"), Buffer.from("part2")]),
        onUploadProgress: (event) => progress.push(event.loadedBytes),
      });
      const response = await createNodeHttpClient().sendRequest(req);
      expect(response.bodyAsText).toBe("ok");
      expect(server.requests[0].body.toString()).toBe("part1-part2");
      expect(progress.at(-1)).toBe(11);
    });
  });
});
