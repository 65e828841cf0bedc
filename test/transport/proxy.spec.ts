import http from "node:http";
import net from "node:net";
import { once } from "node:events";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createEmptyPipeline,
  createPipelineRequest,
  getDefaultProxySettings,
  proxyPolicy,
  type PipelinePolicy,
  type PipelineRequest,
} from "@azure/core-rest-pipeline";
import { createNodeHttpClient } from "../../src/transport/nodeHttpClient.js";
import { selfSignedCertificate, startServer, type TestServer } from "./testServers.js";

/** A minimal proxy: forwards absolute-URL requests (HTTP_PROXY style) and tunnels CONNECT (HTTPS_PROXY style). */
interface TestProxy {
  port: number;
  forwarded: string[];
  tunnels: string[];
  close(): Promise<void>;
}

async function startProxy(): Promise<TestProxy> {
  const forwarded: string[] = [];
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    forwarded.push(`${req.method} ${req.url}`);
    const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url!);
    const [host, port] = req.url!.split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream).add(client);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    forwarded,
    tunnels,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Builds core's proxyPolicy while the given proxy env vars are set, then restores the env. */
function policyFromEnv(env: Record<string, string>, build: () => PipelinePolicy): PipelinePolicy {
  const saved = new Map(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return build();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function sendThrough(policy: PipelinePolicy, request: PipelineRequest): Promise<string | null | undefined> {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(policy);
  const response = await pipeline.sendRequest(createNodeHttpClient(), request);
  return response.bodyAsText;
}

let proxy: TestProxy;
let target: TestServer;
let secureTarget: TestServer;
let cert: string;

beforeAll(async () => {
  // An empty NO_PROXY before the first proxyPolicy() is built: core loads that list once per process.
  policyFromEnv({ NO_PROXY: "", no_proxy: "" }, () => proxyPolicy(undefined, { customNoProxyList: [] }));
  const tls = await selfSignedCertificate();
  cert = tls.cert;
  proxy = await startProxy();
  target = await startServer((req, res) => res.end(`plain ${req.url}`));
  secureTarget = await startServer((req, res) => res.end(`secure ${req.url}`), tls);
});

afterAll(async () => {
  await Promise.all([proxy?.close(), target?.close(), secureTarget?.close()]);
});

beforeEach(() => {
  proxy.forwarded.length = 0;
  proxy.tunnels.length = 0;
});

describe("createNodeHttpClient behind core's proxyPolicy", () => {
  it("forwards http requests through the proxy given in proxy settings", async () => {
    const policy = proxyPolicy({ host: "http://127.0.0.1", port: proxy.port }, { customNoProxyList: [] });
    const body = await sendThrough(
      policy,
      createPipelineRequest({ url: `${target.url}/a?b=1`, allowInsecureConnection: true }),
    );
    expect(body).toBe("plain /a?b=1");
    expect(proxy.forwarded).toEqual([`GET ${target.url}/a?b=1`]);
  });

  it("tunnels https requests through CONNECT, TLS settings given as requestOverrides", async () => {
    const policy = proxyPolicy({ host: "http://127.0.0.1", port: proxy.port }, { customNoProxyList: [] });
    const request = createPipelineRequest({ url: `${secureTarget.url}/s`, requestOverrides: { ca: cert } });
    expect(await sendThrough(policy, request)).toBe("secure /s");
    expect(proxy.tunnels).toEqual([`127.0.0.1:${secureTarget.port}`]);
  });

  it("uses HTTP_PROXY from the environment (via getDefaultProxySettings)", async () => {
    const settings = policyFromEnv(
      { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, HTTPS_PROXY: "", ALL_PROXY: "" },
      () => proxyPolicy(getDefaultProxySettings()),
    );
    const body = await sendThrough(
      settings,
      createPipelineRequest({ url: `${target.url}/env`, allowInsecureConnection: true }),
    );
    expect(body).toBe("plain /env");
    expect(proxy.forwarded).toEqual([`GET ${target.url}/env`]);
  });

  it("uses HTTPS_PROXY from the environment through the policy's own env handling", async () => {
    const policy = policyFromEnv({ HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }, () => proxyPolicy());
    const request = createPipelineRequest({ url: `${secureTarget.url}/env`, requestOverrides: { ca: cert } });
    expect(await sendThrough(policy, request)).toBe("secure /env");
    expect(proxy.tunnels).toEqual([`127.0.0.1:${secureTarget.port}`]);
  });

  it("goes direct when NO_PROXY lists the host", async () => {
    const policy = proxyPolicy({ host: "http://127.0.0.1", port: proxy.port }, { customNoProxyList: ["127.0.0.1"] });
    const body = await sendThrough(
      policy,
      createPipelineRequest({ url: `${target.url}/direct`, allowInsecureConnection: true }),
    );
    expect(body).toBe("plain /direct");
    expect(proxy.forwarded).toEqual([]);
  });
});
