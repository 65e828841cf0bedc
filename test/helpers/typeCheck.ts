import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const tsc = join(resolve(import.meta.dirname, "../.."), "node_modules", "typescript", "bin", "tsc");

/** Runs the repository's `tsc -p <project>` in a child process; resolves to its diagnostics, "" when the project type-checks. */
export async function typeCheckProject(project: string): Promise<string> {
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", project, "--pretty", "false"]);
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}
