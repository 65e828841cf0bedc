/** The emulator's CLI (from source) in a child process, and what it prints. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

export const emulatorRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first match of `pattern` in stdout so far or later; rejects if the CLI exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Everything printed to stdout so far. */
  stdout(): string;
  /** Everything printed to stderr so far. */
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** The CLI from source; pass `command` to run another build of it (the bundled bin). */
export const CLI_FROM_SOURCE = ["--import", "tsx", "src/cli.ts"];

export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env, command: readonly string[] = CLI_FROM_SOURCE): CliProcess {
  const child = spawn(process.execPath, [...command, ...args], { cwd: emulatorRoot, stdio: "pipe", env });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    waiters.forEach((check) => check());
  });
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out);
        if (!match) return;
        waiters.delete(check);
        resolve(match);
      };
      waiters.add(check);
      check();
      void exited.then(() => setTimeout(() => reject(new Error(`CLI exited before printing ${pattern}:\n${out}\n${err}`)), 50));
    });
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    return exited;
  };
  return { child, waitFor, stdout: () => out, stderr: () => err, exited, stop };
}

/** The endpoint and connection string the CLI prints. */
export async function printedResource(cli: CliProcess): Promise<{ endpoint: string; connectionString: string }> {
  const [, endpoint] = await cli.waitFor(/^endpoint: (\S+)$/m);
  const [, connectionString] = await cli.waitFor(/^connection string: (\S+)$/m);
  return { endpoint, connectionString };
}
