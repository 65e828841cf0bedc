import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyPipeline, createPipelineRequest, isRestError, tlsPolicy } from "@azure/core-rest-pipeline";
import { createNodeHttpClient } from "../../src/transport/nodeHttpClient.js";
import { selfSignedCertificate, startServer, type TestServer } from "./testServers.js";

let server: TestServer;
let cert: string;

beforeAll(async () => {
  const tls = await selfSignedCertificate();
  cert = tls.cert;
  server = await startServer((req, res) => res.end(`secure ${req.method}`), tls);
});

afterAll(async () => {
  await server?.close();
});

describe("createNodeHttpClient over https", () => {
  it("trusts a self-signed certificate given in tlsSettings.ca", async () => {
    const request = createPipelineRequest({ url: `${server.url}/` });
    request.tlsSettings = { ca: cert };
    const response = await createNodeHttpClient().sendRequest(request);
    expect(response.status).toBe(200);
    expect(response.bodyAsText).toBe("secure GET");
  });

  it("rejects the same server without the CA, as a RestError with the TLS error code", async () => {
    const before = server.requests.length;
    const error = await createNodeHttpClient()
      .sendRequest(createPipelineRequest({ url: `${server.url}/` }))
      .then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
    expect(isRestError(error)).toBe(true);
    expect(error?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(server.requests.length).toBe(before);
  });

  it("applies tlsOptions through core's tlsPolicy", async () => {
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(tlsPolicy({ ca: cert }));
    const response = await pipeline.sendRequest(
      createNodeHttpClient(),
      createPipelineRequest({ url: `${server.url}/`, method: "POST", body: "x" }),
    );
    expect(response.bodyAsText).toBe("secure POST");
  });

  it("keeps one keep-alive agent per tlsSettings object", async () => {
    const client = createNodeHttpClient();
    const settingsA = { ca: cert };
    const settingsB = { ca: cert };
    const send = async (tlsSettings: { ca: string }): Promise<void> => {
      const request = createPipelineRequest({ url: `${server.url}/` });
      request.tlsSettings = tlsSettings;
      await client.sendRequest(request);
    };
    const start = server.connections;
    await send(settingsA);
    await send(settingsA);
    await send(settingsA);
    expect(server.connections - start).toBe(1);
    await send(settingsB);
    await send(settingsB);
    expect(server.connections - start).toBe(2);
  });
});
