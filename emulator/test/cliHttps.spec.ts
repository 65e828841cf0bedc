/**
 * The CLI's HTTPS conveniences: `--ca-file` (trusted by another Node process through
 * NODE_EXTRA_CA_CERTS), the CA and certificate kept in `--location`, the printed SPKI pin (trusted by
 * Chromium), and the `--port 0` hint when the port is taken.
 */
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumRequiredInCi, findChromium } from "../../test/browser/chromium.js";
import { localCertificateIn, spkiPin, TLS_FILE } from "../src/certificates.js";
import { printedResource, startCli, type CliProcess } from "./helpers/cliProcess.js";

const run = promisify(execFile);
const running: CliProcess[] = [];
const directories: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop()));
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): CliProcess {
  const started = startCli(args);
  running.push(started);
  return started;
}

function temporaryDirectory(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "emulator-https-"));
  directories.push(dir);
  return dir;
}

/** A separate Node process GETs `url` and prints the status, or the TLS error code. */
async function getFromChild(url: string, env: NodeJS.ProcessEnv): Promise<string> {
  const script = `require("node:https").get(${JSON.stringify(url)}, (res) => { console.log(String(res.statusCode)); res.resume(); }).on("error", (e) => console.log(e.code));`;
  const { stdout } = await run(process.execPath, ["-e", script], { env });
  return stdout.trim();
}

const withoutExtraCa = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
};

describe("--ca-file", () => {
  it("writes the CA, which another Node process trusts through NODE_EXTRA_CA_CERTS", async () => {
    const caFile = path.join(temporaryDirectory(), "emulator-ca.pem");
    const emulator = cli(["--port", "0", "--https", "--ca-file", caFile]);
    const { endpoint } = await printedResource(emulator);
    await emulator.waitFor(new RegExp(`CA written to ${caFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: trust it with NODE_EXTRA_CA_CERTS=`));
    expect(readFileSync(caFile, "utf8")).toMatch(/^-----BEGIN CERTIFICATE-----/);

    expect(await getFromChild(`${endpoint}nowhere`, { ...withoutExtraCa(), NODE_EXTRA_CA_CERTS: caFile })).toBe("404");
    // Without it, the same request fails TLS: the file is what makes the difference.
    expect(await getFromChild(`${endpoint}nowhere`, withoutExtraCa())).toMatch(/CERT|SELF_SIGNED|UNABLE/);
  });

  it("is refused without --https", async () => {
    const emulator = cli(["--port", "0", "--ca-file", path.join(temporaryDirectory(), "ca.pem")]);
    expect(await emulator.exited).toBe(2);
    expect(emulator.stderr()).toContain("--ca-file needs --https");
  });
});

describe("--https with --location", () => {
  it("keeps the CA and the certificate across restarts, so trust and the SPKI pin survive", async () => {
    const location = temporaryDirectory();
    const firstCa = path.join(temporaryDirectory(), "first.pem");
    const first = cli(["--port", "0", "--https", "--location", location, "--ca-file", firstCa]);
    const [, firstPin] = await first.waitFor(/^chromium: --ignore-certificate-errors-spki-list=(\S+)$/m);
    expect(await first.stop()).toBe(0);

    const secondCa = path.join(temporaryDirectory(), "second.pem");
    const second = cli(["--port", "0", "--https", "--location", location, "--ca-file", secondCa]);
    const { endpoint } = await printedResource(second);
    const [, secondPin] = await second.waitFor(/^chromium: --ignore-certificate-errors-spki-list=(\S+)$/m);
    expect(readFileSync(secondCa, "utf8")).toBe(readFileSync(firstCa, "utf8"));
    expect(secondPin).toBe(firstPin);
    // The CA written by the first run is trusted by the second.
    expect(await getFromChild(`${endpoint}nowhere`, { ...withoutExtraCa(), NODE_EXTRA_CA_CERTS: firstCa })).toBe("404");
  });
});

describe("localCertificateIn", () => {
  it("renews a server certificate with less than a day left, signed by the same CA", async () => {
    const dir = temporaryDirectory();
    const first = await localCertificateIn(dir);
    expect(await localCertificateIn(dir)).toEqual(first);
    const leafExpiry = Date.parse(new X509Certificate(first.cert).validTo);
    const renewed = await localCertificateIn(dir, new Date(leafExpiry - 60 * 60 * 1000));
    expect(renewed.ca).toBe(first.ca);
    expect(renewed.cert).not.toBe(first.cert);
    expect(new X509Certificate(renewed.cert).verify(new X509Certificate(first.ca).publicKey)).toBe(true);
  });

  it("replaces a kept file whose certificate its CA did not sign", async () => {
    const dir = temporaryDirectory();
    const kept = await localCertificateIn(dir);
    const foreign = await localCertificateIn(temporaryDirectory());
    const file = path.join(dir, TLS_FILE);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), cert: foreign.cert }));
    const replaced = await localCertificateIn(dir);
    expect(replaced.ca).not.toBe(kept.ca);
    expect(new X509Certificate(replaced.cert).verify(new X509Certificate(replaced.ca).publicKey)).toBe(true);
  });
});

describe("the printed SPKI pin", () => {
  const executablePath = findChromium();
  if (executablePath === undefined && process.env.CI === "true") throw new Error(chromiumRequiredInCi);

  it.skipIf(executablePath === undefined)("is the server certificate's, and Chromium trusts the emulator with it (not with the CA's)", async () => {
    const caFile = path.join(temporaryDirectory(), "ca.pem");
    const emulator = cli(["--port", "0", "--https", "--ca-file", caFile]);
    const { endpoint } = await printedResource(emulator);
    const [, pin] = await emulator.waitFor(/^chromium: --ignore-certificate-errors-spki-list=(\S+)$/m);
    const caPin = spkiPin(readFileSync(caFile, "utf8"));
    expect(pin).not.toBe(caPin);

    const visit = async (spki: string): Promise<{ status: number; text: string } | { error: string }> => {
      const browser = await chromium.launch({ executablePath, headless: true, args: [...chromiumArgs, `--ignore-certificate-errors-spki-list=${spki}`] });
      try {
        const page = await browser.newPage();
        const response = await page.goto(`${endpoint}nowhere`);
        return { status: response!.status(), text: await response!.text() };
      } catch (error) {
        return { error: (error as Error).message };
      } finally {
        await browser.close();
      }
    };
    const pinned = await visit(pin);
    expect(pinned).toMatchObject({ status: 404 });
    expect((pinned as { text: string }).text).toContain("NotFound");
    expect(await visit(caPin)).toMatchObject({ error: expect.stringContaining("ERR_CERT_AUTHORITY_INVALID") });
  }, 60_000);
});

describe("a port in use", () => {
  it("exits 1 and suggests --port 0", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = taken.address() as { port: number };
      const emulator = cli(["--port", String(port)]);
      expect(await emulator.exited).toBe(1);
      expect(emulator.stderr()).toContain(`Port ${port} on 127.0.0.1 is already in use. Use --port 0`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
