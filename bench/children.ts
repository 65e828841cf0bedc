// Child processes for the benchmark: every measured client, the canned server and the emulator run
// in their own process, so module caches, JIT state and CPU accounting never mix.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const benchDir = fileURLToPath(new URL(".", import.meta.url));
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** Replaces each secret in text, so a child's stderr can be quoted in an error safely. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("<redacted>");
  return out;
}

/** The error lines of a child's stderr without stack frames, so a failure reads in one line. */
export function summarizeStderr(stderr: string): string {
  return stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("at ") && !line.startsWith("node:internal") && line !== "^" && !line.startsWith("Node.js v"))
    .slice(-8)
    .join(" | ");
}

export interface ChildRun<T> {
  /** The last JSON line the child printed. */
  value: T;
  /** Milliseconds from just before spawn to the first stdout line. */
  firstLineMs: number;
}

export interface RunChildOptions {
  nodeArgs?: string[];
  env?: Record<string, string>;
  timeoutMs: number;
  /** Removed from any error text built from the child's output. */
  secrets?: string[];
  /** Prefix command, e.g. ["taskset", "-c", "0"]. */
  wrapper?: string[];
}

/** Runs `node [nodeArgs] script args…`, resolves with its last JSON stdout line when it exits 0. */
export function runNodeChild<T>(script: string, args: string[], options: RunChildOptions): Promise<ChildRun<T>> {
  const nodeArgv = [...(options.nodeArgs ?? []), script, ...args];
  const [command, ...argv] = options.wrapper?.length
    ? [...options.wrapper, process.execPath, ...nodeArgv]
    : [process.execPath, ...nodeArgv];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstLineMs = -1;
    let stdout = "";
    let stderr = "";
    const child = spawn(command, argv, {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} ${args[0] ?? ""} timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (firstLineMs < 0 && chunk.includes("\n")) firstLineMs = performance.now() - started;
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(redact(error.message, options.secrets ?? [])));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lastLine = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0) {
        const why = summarizeStderr(stderr) || `signal ${signal}`;
        reject(new Error(`child exited ${code}: ${redact(why, options.secrets ?? [])}`));
        return;
      }
      try {
        resolve({ value: JSON.parse(lastLine) as T, firstLineMs });
      } catch {
        reject(new Error(`child printed no JSON result: ${redact(lastLine.slice(0, 200), options.secrets ?? [])}`));
      }
    });
  });
}

export interface RunningChild {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Ends a child: waits up to `graceMs` for it to exit by itself, then SIGTERM, then SIGKILL. */
function stopChild(child: ChildProcess, graceMs = 0): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const term = setTimeout(() => child.kill("SIGTERM"), graceMs);
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs + 2000);
    child.once("exit", () => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve();
    });
  });
}

/** Starts bench/cannedServer.mjs in a child process and resolves with its port. */
export function startCannedServerChild(wrapper: string[] = []): Promise<RunningChild & { port: number }> {
  const script = `${benchDir}cannedServer.mjs`;
  const [command, ...argv] = [...wrapper, process.execPath, script];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: repoRoot, stdio: ["pipe", "pipe", "inherit"] });
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("canned server did not start within 10 s"));
    }, 10_000);
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`canned server exited early (${code})`)));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      if (!buffered.includes("\n")) return;
      clearTimeout(timer);
      const { port } = JSON.parse(buffered.split("\n")[0]) as { port: number };
      resolve({ child, port, stop: () => stopChild(child) });
    });
  });
}

/** Starts bench/emulatorWorker.mjs on the given emulator build and resolves with its connection string. */
export interface EmulatorChild extends RunningChild {
  connectionString: string;
  /** The emulator process's CPU time so far (user + system), in µs. */
  cpuMicros(): Promise<number>;
}

export function startEmulatorChild(emulatorEntry: string, wrapper: string[] = [], nodeArgs: string[] = []): Promise<EmulatorChild> {
  const script = `${benchDir}emulatorWorker.mjs`;
  const [command, ...argv] = [...wrapper, process.execPath, ...nodeArgs, script];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: repoRoot,
      env: { ...process.env, BENCH_EMULATOR_ENTRY: emulatorEntry },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("emulator did not start within 15 s"));
    }, 15_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited early (${code}): ${stderr.trim().split("\n").slice(-4).join(" | ")}`));
    });
    child.once("message", (message: { connectionString?: string }) => {
      clearTimeout(timer);
      if (typeof message?.connectionString !== "string") {
        reject(new Error("emulator sent no connection string"));
        return;
      }
      resolve({
        child,
        connectionString: message.connectionString,
        cpuMicros: () =>
          new Promise((done) => {
            child.once("message", (reply: { cpu: { user: number; system: number } }) => done(reply.cpu.user + reply.cpu.system));
            child.send("cpu");
          }),
        // Disconnecting asks the worker to close the emulator and exit (so --cpu-prof can write).
        stop: async () => {
          if (child.connected) child.disconnect();
          await stopChild(child, 3000);
        },
      });
    });
  });
}

/** One window of load from bench/emulatorDriver.mjs. */
export interface DriverWindow {
  count: number;
  failures: number;
  p99: number;
  wallMs: number;
  /** The driver process's CPU time over the window (user + system), in µs. */
  cpuMicros: number;
}

export interface EmulatorDriverChild extends RunningChild {
  /** Runs `inFlight` signed issueAccessToken loops for `windowMs` and reports what the driver saw. */
  window(windowMs: number): Promise<DriverWindow>;
}

/**
 * Starts bench/emulatorDriver.mjs (optionally under a wrapper such as taskset) and hands it the
 * connection string over IPC, never argv or stdout. Resolves once it is ready to drive.
 */
export function startEmulatorDriverChild(
  connectionString: string,
  userId: string,
  inFlight: number,
  wrapper: string[] = [],
): Promise<EmulatorDriverChild> {
  const [command, ...argv] = [...wrapper, process.execPath, `${benchDir}emulatorDriver.mjs`];
  const child = spawn(command, argv, { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const reply = <T>(message: unknown, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`emulator driver did not answer within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null, error?: Error) => {
        clearTimeout(timer);
        reject(new Error(`emulator driver exited (${error?.message ?? code}): ${summarizeStderr(stderr)}`));
      };
      const onError = (error: Error) => onExit(null, error);
      child.once("exit", onExit);
      child.once("error", onError);
      child.once("message", (answer: T & { error?: string }) => {
        clearTimeout(timer);
        child.off("exit", onExit);
        child.off("error", onError);
        if (typeof answer?.error === "string") reject(new Error(`emulator driver: ${answer.error}`));
        else resolve(answer);
      });
      child.send(message as object);
    });
  return reply<{ ready: boolean }>({ connectionString, userId, inFlight }, 15_000).then(() => ({
    child,
    window: (windowMs: number) => reply<DriverWindow>({ windowMs }, windowMs + 30_000),
    stop: async () => {
      if (child.connected) child.disconnect();
      await stopChild(child, 3000);
    },
  }));
}
