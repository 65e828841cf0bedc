import type { Reporter, TestModule, TestRunEndReason } from "vitest/node";

/** The project under which, without Chromium, vitest.config.ts collects the browser tests, all of them skipped. */
export const skippedBrowserProjectName = "browser (skipped: no Chromium)";

/**
 * Ends the run with one plain line, `vitest: N passed, N failed, N skipped`, that tools reading
 * a log (CI among them) understand without knowing Vitest's own summary format. Browser tests
 * skipped for want of Chromium count as skipped, and the line says how many.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason?: TestRunEndReason): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    let browserSkipped = 0;
    for (const module of testModules) {
      const withoutChromium = module.project.name === skippedBrowserProjectName;
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failedHere++;
        else {
          skipped++;
          if (withoutChromium) browserSkipped++;
        }
      }
      // A file that failed without a failed test (it did not load, or a beforeAll/afterAll hook threw)
      // must still count as a failure.
      failed += failedHere === 0 && module.state() === "failed" ? 1 : failedHere;
    }
    // A run that failed outside any test file (a globalSetup that threw) must not end with "0 failed".
    if (reason === "failed" && failed === 0) failed = 1;
    const why = browserSkipped > 0 ? ` (${browserSkipped} browser tests: Chromium not found)` : "";
    process.stdout.write(`\nvitest: ${passed} passed, ${failed} failed, ${skipped} skipped${why}\n`);
  }
}
