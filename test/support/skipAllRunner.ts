import { TestRunner, type RunnerTestFile, type RunnerTask } from "vitest";

/**
 * The runner of the project that stands in for the browser projects when Chromium is missing: every
 * test file is collected, so its tests are counted, then every suite and test is marked skipped, so
 * none runs (nor do its hooks, which need the browser's globalSetup).
 */
export default class SkipAllRunner extends TestRunner {
  onCollected(files: RunnerTestFile[]): void {
    for (const file of files) skipAll(file);
  }
}

function skipAll(task: RunnerTask): void {
  if (task.mode === "run" || task.mode === "only" || task.mode === "queued") task.mode = "skip";
  if ("tasks" in task) for (const child of task.tasks) skipAll(child);
}
