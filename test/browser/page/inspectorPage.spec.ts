/**
 * The emulator's inspector page in headless Chromium: after sample traffic and a request signed with a wrong
 * key, a browser opening the endpoint lands on the page, which shows the identities and the requests, and
 * why the wrong-key request was refused (never the key).
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { startIdentityEmulator, type IdentityEmulator } from "communication-identity-emulator";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../../scripts/runSamples.js";
import { CommunicationIdentityClient } from "../../../src/index.js";
import { ensureBuilt } from "../../helpers/ensureBuilt.js";
import { launchChromium, pageProblems } from "./chromiumPage.js";

const screenshotPath = join(repoRoot, "test-results", "inspector.png");
let emulator: IdentityEmulator;
let browser: Browser;

beforeAll(async () => {
  ensureBuilt();
  emulator = await startIdentityEmulator({ port: 0 });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await emulator?.close();
});

describe("the emulator's inspector page", () => {
  it("shows the identities, the requests, and why the wrong-key request was refused", async () => {
    const client = new CommunicationIdentityClient(emulator.connectionString, emulator.clientOptions());
    const { user } = await client.createUserAndToken(["chat"], { customId: "inspected-<b>user</b>" });
    await client.getToken(user, ["voip"]);
    await client.revokeTokens(user);
    const gone = await client.createUser();
    await client.deleteUser(gone);

    const wrongKey = Buffer.alloc(32, 7).toString("base64");
    const stranger = new CommunicationIdentityClient(`endpoint=${emulator.endpoint};accesskey=${wrongKey}`, emulator.clientOptions());
    const refusal = await stranger.createUser().catch((error: unknown) => error);
    // The SDK surfaces the emulator's explanation (error.innererror) as details.innerError.
    expect(refusal).toMatchObject({ statusCode: 401, code: "Denied", details: { error: { innerError: { code: "SignatureMismatch" } } } });
    const surfaced = (refusal as { details: { error: { innerError: { message: string } } } }).details.error.innerError.message;
    expect(surfaced).toMatch(/different access key.*string-to-sign: "POST\\n\/identities\?api-version=/);

    const page = await browser.newPage();
    const problems = pageProblems(page);
    const offline: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(emulator.endpoint)) offline.push(request.url());
    });

    // A browser opening the endpoint itself lands on the inspector.
    await page.goto(emulator.endpoint);
    expect(new URL(page.url()).pathname).toBe("/_emulator/");
    await expect.poll(() => page.locator("#status").getAttribute("data-state")).toBe("live");

    const refused = page.locator("#requests tbody tr.refused");
    await expect.poll(() => refused.count()).toBe(1);
    expect(await refused.locator("td").nth(2).textContent()).toBe("POST");
    expect(await refused.locator("td.path").textContent()).toBe("/identities");
    expect(await refused.locator("td.status").textContent()).toBe("401 Denied");
    expect(await refused.locator(".why .message").textContent()).toMatch(/different access key/);
    expect(await refused.locator(".fact-differs").textContent()).toBe("unknown");
    expect(await refused.locator(".fact-clock-skew").textContent()).toMatch(/^-?\d+ s$/);
    const stringToSign = (await refused.locator("pre.string-to-sign").textContent()) ?? "";
    expect(stringToSign).toMatch(new RegExp(`^POST\\n/identities\\?api-version=[\\w-]+\\n[^;]+ GMT;${new URL(emulator.endpoint).host};[A-Za-z0-9+/]+=*$`));

    // Every request the sample made is listed, with its api-version and status.
    const statuses = await page.locator("#requests tbody tr td.status").allTextContents();
    expect(statuses.slice().reverse()).toEqual(["201", "200", "204", "201", "204", "401 Denied"]);
    expect(await page.locator("#requests tbody tr").first().locator("td").nth(4).textContent()).toMatch(/^\d{4}-\d\d-\d\d/);

    // Identities: the customId shown as text (not markup), tokens issued and revoked, the deleted one.
    const live = page.locator("#identities tbody tr", { hasText: user.communicationUserId });
    expect(await live.locator("td").nth(1).textContent()).toBe("inspected-<b>user</b>");
    expect(await live.locator("td").nth(3).textContent()).toBe("2");
    expect(await live.locator("td").nth(5).textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(await page.locator("#identities tbody tr.deleted", { hasText: gone.communicationUserId }).count()).toBe(1);
    expect(await page.locator("#assignments tbody tr.empty").count()).toBe(1);

    const html = await page.content();
    expect(html).not.toContain(wrongKey);
    expect(html).not.toContain(/accesskey=([^;]+)/.exec(emulator.connectionString)![1]);

    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(existsSync(screenshotPath)).toBe(true);
    expect(problems).toEqual([]);
    expect(offline).toEqual([]);
    await page.close();
  });
});
