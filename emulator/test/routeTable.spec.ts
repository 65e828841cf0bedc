import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allOperations } from "../../src/generated/operations.js";
import { apiVersions, generatedRoutes } from "../src/generated/routeTable.js";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { signedRequest } from "../../test/helpers/emulatorSigner.js";

// One generator emits both tables from the same spec; this checks that they say the same, version by version.

const sdkSurface = (version: string) =>
  allOperations
    .filter((operation) => operation.apiVersions.includes(version))
    .map((operation) => `${operation.method} ${operation.path}`)
    .sort();

const emulatorSurface = (version: string) =>
  generatedRoutes
    .filter((route) => (route.versions as readonly string[]).includes(version))
    .map((route) => `${route.method} ${route.template}`)
    .sort();

describe("the emulator's route table and the SDK's operations", () => {
  it("know the same api-versions", () => {
    const sdkVersions = [...new Set(allOperations.flatMap((operation) => operation.apiVersions))].sort();
    expect([...apiVersions].sort()).toEqual(sdkVersions);
  });

  it.each(apiVersions)("have the same operations in %s", (version) => {
    expect(emulatorSurface(version)).toEqual(sdkSurface(version));
  });

  it("name each operation alike and agree on its versions and success statuses", () => {
    for (const route of generatedRoutes) {
      const operation = allOperations.find((candidate) => candidate.method === route.method && candidate.path === route.template);
      expect(operation?.name, `${route.method} ${route.template}`).toBe(route.operation);
      expect(operation!.apiVersions).toEqual(route.versions);
      expect(operation!.successStatuses).toEqual(route.successStatuses);
    }
  });
});

describe("the emulator's dispatch", () => {
  let emulator: IdentityEmulator;
  beforeAll(async () => {
    emulator = await startIdentityEmulator({ port: 0 });
  });
  afterAll(() => emulator.close());

  it.each(generatedRoutes.map((route) => [route.operation, route] as const))("has a handler for %s (no 501 NotImplemented)", async (_name, route) => {
    const path = route.template.replace(/\{[^}]+\}/g, "00000000-0000-0000-0000-000000000000");
    const res = await signedRequest(emulator, route.method, `${path}?api-version=${route.versions[route.versions.length - 1]}`, { body: route.bodyModel ? {} : undefined });
    expect(res.status).not.toBe(501);
    expect(res.json?.error?.code).not.toBe("UnsupportedApiVersion");
  });
});
