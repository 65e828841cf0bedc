/**
 * samples/v1/browser in headless Chromium: the page loads, the button creates a user and a token
 * against the emulator the sample server started, and the page shows them.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkPackage, repoRoot } from "../../../scripts/runSamples.js";
import { CommunicationIdentityClient } from "../../../src/index.js";
import { ensureBuilt } from "../../helpers/ensureBuilt.js";
import { launchChromium, pageProblems } from "./chromiumPage.js";

const sampleDir = join(repoRoot, "samples", "v1", "browser");
const screenshotPath = join(repoRoot, "test-results", "browser-sample.png");

/** The part of serve.ts's SampleServer this test uses (serve.ts is loaded at run time, see beforeAll). */
interface SampleServer {
  url: string;
  emulator: { endpoint: string; connectionString: string; resourceId: string };
  close(): Promise<void>;
}
let sample: SampleServer;
let browser: Browser;

beforeAll(async () => {
  ensureBuilt();
  // What `npm install` in the sample folder does for its file:../../.. dependency (the link is gitignored).
  linkPackage(sampleDir, repoRoot);
  // Imported only now, by a path tsc does not follow: serve.ts resolves communication-identity
  // through that link, which a fresh clone does not have yet when `npm test` type-checks.
  const serve = (await import(pathToFileURL(join(sampleDir, "serve.ts")).href)) as {
    startSampleServer(options: { port: number }): Promise<SampleServer>;
  };
  sample = await serve.startSampleServer({ port: 0 });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sample?.close();
});

describe("samples/v1/browser", () => {
  it("creates a user and a token when the button is clicked, and shows them", async () => {
    const page = await browser.newPage();
    const problems = pageProblems(page);

    await page.goto(sample.url);
    await expect.poll(() => page.locator("#status").getAttribute("data-state")).toBe("ready");
    expect(await page.locator("#endpoint").textContent()).toBe(sample.emulator.endpoint);

    await page.locator("#create").click();
    await expect.poll(() => page.locator("#status").getAttribute("data-state")).toBe("done");

    const userId = (await page.locator("#user").textContent()) ?? "";
    const token = (await page.locator("#token").textContent()) ?? "";
    const expires = (await page.locator("#expires").textContent()) ?? "";
    expect(userId.startsWith(`8:acs:${sample.emulator.resourceId}_`)).toBe(true);
    // A JWT's start and its length: the page never shows a whole token.
    expect(token).toMatch(/^eyJ[\w-]{21}… \(\d{3,} characters\)$/);
    expect(new Date(expires).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(await page.locator("#result").isVisible()).toBe(true);

    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(existsSync(screenshotPath)).toBe(true);
    expect(problems).toEqual([]);

    // The emulator really issued that token to that user.
    const client = new CommunicationIdentityClient(sample.emulator.connectionString, { allowInsecureConnection: true });
    const detail = await client.getUser({ communicationUserId: userId });
    expect(detail.lastTokenIssuedAt).toBeInstanceOf(Date);
    await page.close();
  });

  it("type-checks (its own tsconfig: DOM for the page, Node for the server)", async () => {
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const run = promisify(execFile)(process.execPath, [tsc, "-p", join(sampleDir, "tsconfig.json")], { cwd: sampleDir, timeout: 14_000 });
    await expect(run).resolves.toMatchObject({ stdout: "" });
  });

  it("serves a page script bundled for browsers with no Node-isms", async () => {
    const script = await (await fetch(new URL("main.js", sample.url))).text();
    expect(script).toContain("createUserAndToken");
    expect(script).not.toMatch(/["']node:|\bBuffer\b|\brequire\(/);
  });
});
