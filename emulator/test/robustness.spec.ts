import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { accessKeyOf, rawRequest, signedRequest } from "../../test/helpers/emulatorSigner.js";

let emulator: IdentityEmulator;
let userId: string;
beforeAll(async () => {
  emulator = await startIdentityEmulator({ port: 0 });
  userId = (await signedRequest(emulator, "POST", "/identities?api-version=2025-03-02-preview")).json.identity.id;
});
afterAll(() => emulator.close());

describe("hostile input", () => {
  it("answers any signed JSON body on any route with a 2xx or a 4xx envelope, never a 5xx", async () => {
    const paths = [
      "/identities?api-version=2025-03-02-preview",
      `/identities/${encodeURIComponent(userId)}/:issueAccessToken?api-version=2025-03-02-preview`,
      "/teamsUser/:exchangeAccessToken?api-version=2023-10-01",
      "/_emulator/tokens:verify",
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.oneof(fc.json(), fc.string()), async (path, body) => {
        const res = await signedRequest(emulator, "POST", path, { body });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(typeof res.json.error.code).toBe("string");
      }),
      { numRuns: 150 },
    );
  });

  it("answers arbitrary paths and headers without crashing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9%:._~\-/?=&]{0,60}$/),
        fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"),
        fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
        async (path, method, authorization) => {
          const res = await rawRequest(`${emulator.endpoint}${path.replace(/^\/+/, "")}`, { method, headers: { authorization: authorization || "x" } });
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
    expect((await signedRequest(emulator, "POST", "/identities?api-version=2023-10-01")).status).toBe(201);
  });

  it("never echoes the access key in an error", async () => {
    const key = accessKeyOf(emulator.connectionString);
    const res = await rawRequest(`${emulator.endpoint}identities?api-version=2023-10-01`, {
      method: "POST",
      headers: { authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${key}`, "x-ms-date": new Date().toUTCString(), "x-ms-content-sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
    });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(key);
  });
});
