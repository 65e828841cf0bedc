import type { TestModule } from "vitest/node";
import { afterEach, describe, expect, it, vi } from "vitest";
import SummaryReporter, { skippedBrowserProjectName } from "./summaryReporter.js";

type State = "passed" | "failed" | "skipped" | "pending";

/** The parts of a TestModule the reporter reads. */
function module(project: string, states: State[], moduleState: "passed" | "failed" | "skipped" = "passed"): TestModule {
  return {
    project: { name: project },
    state: () => moduleState,
    children: { allTests: () => states.map((state) => ({ result: () => ({ state }) }))[Symbol.iterator]() },
  } as unknown as TestModule;
}

function closingLine(modules: TestModule[], unhandled: unknown[] = [], reason?: "passed" | "failed" | "interrupted"): string {
  const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  new SummaryReporter().onTestRunEnd(modules, unhandled, reason);
  return String(write.mock.calls.at(-1)?.[0]).trim();
}

afterEach(() => vi.restoreAllMocks());

describe("SummaryReporter", () => {
  it("ends with one line counting passed, failed and skipped tests", () => {
    expect(closingLine([module("node", ["passed", "passed", "failed", "skipped"]), module("node", ["pending"])])).toBe("vitest: 2 passed, 1 failed, 2 skipped");
  });

  it("counts the browser tests collected without Chromium as skipped, and says why", () => {
    const line = closingLine([module("node", ["passed"]), module(skippedBrowserProjectName, ["skipped", "skipped", "skipped"], "skipped")]);
    expect(line).toBe("vitest: 1 passed, 0 failed, 3 skipped (3 browser tests: Chromium not found)");
  });

  it("counts a file that failed without a failed test (it did not load, or a hook threw) as one failure", () => {
    expect(closingLine([module("node", [], "failed"), module("node", ["skipped", "skipped"], "failed")])).toBe("vitest: 0 passed, 2 failed, 2 skipped");
  });

  it("counts a run that failed outside any test (a globalSetup that threw) as a failure", () => {
    expect(closingLine([], [], "failed")).toBe("vitest: 0 passed, 1 failed, 0 skipped");
    expect(closingLine([module("node", ["passed"])], [], "passed")).toBe("vitest: 1 passed, 0 failed, 0 skipped");
  });

  it("counts unhandled errors as failures", () => {
    expect(closingLine([module("node", ["passed"])], [new Error("late")])).toBe("vitest: 1 passed, 1 failed, 0 skipped");
  });
});
