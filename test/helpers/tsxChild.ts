/**
 * Runs a TypeScript file in its own Node process (through tsx) and talks to it in JSON lines:
 * the child prints one JSON object per line on stdout and reads commands, one per line, on stdin.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface TsxChild {
  readonly process: ChildProcessWithoutNullStreams;
  /** Everything the child wrote to stderr so far (for failure messages). */
  readonly stderr: () => string;
  /** Resolves with the next JSON message that satisfies `accept` (earlier unread ones included). */
  next<T = Record<string, unknown>>(accept?: (message: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<T>;
  send(command: string): void;
  /** Exit code, or the signal name. */
  readonly exited: Promise<number | string>;
}

export function startTsxChild(file: string, options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): TsxChild {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", tsxLoader, file], {
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const inbox: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line.startsWith("{")) continue;
      try {
        inbox.push(JSON.parse(line));
      } catch {
        continue;
      }
      waiters.splice(0).forEach((wake) => wake());
    }
  });
  const exited = new Promise<number | string>((resolve) => child.on("close", (code, signal) => resolve(code ?? signal ?? "unknown")));
  exited.then(() => waiters.splice(0).forEach((wake) => wake()));
  let done = false;
  void exited.then(() => (done = true));

  return {
    process: child,
    stderr: () => stderr,
    exited,
    send: (command) => {
      child.stdin.write(`${command}\n`);
    },
    async next<T>(accept: (message: Record<string, unknown>) => boolean = () => true, timeoutMs = 30_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = inbox.findIndex(accept);
        if (index >= 0) return inbox.splice(index, 1)[0] as T;
        if (done) throw new Error(`child exited before the expected message; stderr:\n${stderr.slice(-2000)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no expected message from the child within ${timeoutMs} ms; stderr:\n${stderr.slice(-2000)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}
