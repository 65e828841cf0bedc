// arethetypeswrong for a Node-only package: its exports have only a "node" condition (tested at the root, in
// test/build/packages.spec.ts), so the one resolution that cannot find it, TypeScript's "bundler" mode (which has no
// "node" condition), is expected. Every other problem, and the bundler one for any other reason, fails the check.
import { spawnSync } from "node:child_process";

const run = spawnSync("npx", ["attw", "--pack", ".", "--profile", "node16", "--format", "json"], { encoding: "utf8", shell: process.platform === "win32" });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  process.stderr.write(`attw gave no report:\n${run.stdout}${run.stderr}`);
  process.exit(1);
}
const problems = report.analysis.problems ?? [];
const expected = (problem) => problem.kind === "NoResolution" && problem.resolutionKind === "bundler";
const unexpected = problems.filter((problem) => !expected(problem));
for (const problem of problems) {
  process.stdout.write(`${expected(problem) ? "expected (Node-only exports)" : "PROBLEM"}: ${JSON.stringify(problem)}\n`);
}
process.stdout.write(unexpected.length === 0 ? "attw: no problem for node16 (CJS and ESM).\n" : `attw: ${unexpected.length} problem(s).\n`);
process.exit(unexpected.length === 0 ? 0 : 1);
