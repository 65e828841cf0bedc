/** What the headless-Chromium page tests share: launching the browser and collecting a page's errors and warnings. */
import { chromium, type Browser, type Page } from "playwright-core";
import { chromiumArgs, findChromium } from "../chromium.js";

/** Launches the system Chromium headless; throws when there is none. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error("Chromium is required for this test (see vitest.config.ts).");
  return chromium.launch({ executablePath, args: chromiumArgs, headless: true });
}

/** The page's uncaught errors and console errors and warnings, as they happen. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`);
  });
  return problems;
}
