import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalCertificate } from "../src/index.js";
import type { ScenarioReport as Report } from "./communicationCommonScenarios.js";

const TENANT = "c70d068c-2f32-484d-9455-73070cd5aadd";


let report: Report;
let directory: string;

// The scenarios run in a child that trusts the emulator's CA from the start (see communicationCommonScenarios.ts).
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "communication-common-"));
  const tls = await createLocalCertificate();
  const caFile = join(directory, "ca.pem");
  await writeFile(caFile, tls.ca);
  const script = fileURLToPath(new URL("./communicationCommonScenarios.ts", import.meta.url));
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, EMULATOR_CERT: tls.cert, EMULATOR_CA: tls.ca, EMULATOR_KEY: tls.key, NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`scenario child exited ${code}: ${stderr}`))));
  });
  report = JSON.parse(output.trim().split("\n").pop()!) as Report;
});
afterAll(() => rm(directory, { recursive: true, force: true }));

describe("@azure/communication-common AzureCommunicationTokenCredential (Entra mode) against the emulator over HTTPS", () => {
  it("is served at an endpoint ending in / (communication-common then asks for //access/...)", () => {
    expect(report.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  });

  describe.each(["teamsExtension", "entra"] as const)("%s route", (route) => {
    const outcome = (name: "withoutAssignment" | "withAssignment" | "expiredToken" | "afterDelete") => report.results[route][name];

    it("gets an ACS token of the route's identity once the assignment exists, expiring with the Entra token", () => {
      const objectId = report.results[route].objectId.message!;
      const expected = route === "entra" ? `acs:${report.resourceId}_wf_${TENANT}_${objectId}` : `acs:${report.resourceId}_${TENANT}_${objectId}`;
      expect(outcome("withAssignment")).toMatchObject({ ok: true, skypeid: expected });
      expect(outcome("withAssignment").expiresOnTimestamp).toBe(outcome("withAssignment").entraExpiresOnTimestamp);
    });

    it("is refused with 403 AccessNotAssigned without an assignment", () => {
      expect(outcome("withoutAssignment").ok).toBe(false);
      expect(outcome("withoutAssignment").message).toMatch(/Status: 403/);
      expect(outcome("withoutAssignment").message).toContain("AccessNotAssigned");
    });

    it("is refused with 403 again after the assignment is deleted", () => {
      expect(outcome("afterDelete").ok).toBe(false);
      expect(outcome("afterDelete").message).toMatch(/Status: 403.*AccessNotAssigned/);
    });

    it("is refused with 401 InvalidAccessToken for an expired Entra token", () => {
      expect(outcome("expiredToken").ok).toBe(false);
      expect(outcome("expiredToken").message).toMatch(/Status: 401.*InvalidAccessToken/);
    });
  });
});
