import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { LOCK_FILE, LocationLockedError, removeIfStill } from "../src/locationLock.js";
import { signedRequest } from "../../test/helpers/emulatorSigner.js";
import { startTsxChild, type TsxChild } from "../../test/helpers/tsxChild.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = fileURLToPath(new URL("../", import.meta.url));
const PREVIEW = "api-version=2025-03-02-preview";
const dirs: string[] = [];
const running: IdentityEmulator[] = [];
const children: TsxChild[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});
afterAll(() => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "identity-emulator-lock-"));
  dirs.push(dir);
  return dir;
}

async function start(location: string): Promise<IdentityEmulator> {
  const e = await startIdentityEmulator({ port: 0, location });
  running.push(e);
  return e;
}

async function startChild(location: string): Promise<{ child: TsxChild; pid: number; connectionString: string; endpoint: string }> {
  const child = startTsxChild(path.join(here, "reliability/children/emulatorProcess.ts"), { env: { EMULATOR_LOCATION: location } });
  children.push(child);
  const ready = await child.next<{ pid: number; connectionString: string; endpoint: string }>((m) => m.ready === true, 20_000);
  return { child, ...ready };
}

/** A pid that no process has any more: one of our own children, started and reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

function writeLock(dir: string, owner: Record<string, unknown>): void {
  const lock = { format: "communication-identity-emulator/lock", host: hostname(), nonce: "stale-nonce", startedAt: "2026-01-01T00:00:00.000Z", ...owner };
  writeFileSync(path.join(dir, LOCK_FILE), `${JSON.stringify(lock)}\n`);
}

const lockHolder = (dir: string) => JSON.parse(readFileSync(path.join(dir, LOCK_FILE), "utf8")) as { pid: number; nonce: string };

describe("location lock", () => {
  it("refuses a second emulator on a location in use in this process, naming the pid, and allows it once the first closed", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const error = await start(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocationLockedError);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect((error as Error).message).toContain(dir);
    running.splice(running.indexOf(first), 1);
    await first.close();
    expect(existsSync(path.join(dir, LOCK_FILE)), "close releases the lock").toBe(false);
    await expect(start(dir)).resolves.toBeDefined();
  });

  it("refuses an emulator while another process holds the location, and its state is untouched", async () => {
    const dir = tempDir();
    const holder = await startChild(dir);
    const created = await signedRequest(holder, "POST", `/identities?${PREVIEW}`, { body: { customId: "held" } });
    expect(created.status).toBe(201);
    const error = await start(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocationLockedError);
    expect((error as LocationLockedError).holderPid).toBe(holder.pid);
    expect((error as Error).message).toMatch(new RegExp(`in use by another emulator \\(pid ${holder.pid}\\b`));
    // The holder keeps serving (and owning) its state.
    expect(lockHolder(dir).pid).toBe(holder.pid);
    expect((await signedRequest(holder, "POST", `/identities?${PREVIEW}`, { body: { customId: "held" } })).json.identity.id).toBe(created.json.identity.id);
    holder.child.send("close");
    await holder.child.exited;
  });

  it("makes the CLI exit non-zero naming the holder's pid", async () => {
    const dir = tempDir();
    const holder = await startChild(dir);
    const cli = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "--port", "0", "--location", dir], { cwd: root, stdio: "pipe" });
    let stderr = "";
    cli.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => cli.once("exit", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain(`pid ${holder.pid}`);
    holder.child.send("close");
    await holder.child.exited;
  });

  it("takes over the lock of an emulator killed with SIGKILL, with its state", async () => {
    const dir = tempDir();
    const holder = await startChild(dir);
    const created = await signedRequest(holder, "POST", `/identities?${PREVIEW}`, { body: { customId: "survivor" } });
    holder.child.process.kill("SIGKILL");
    expect(await holder.child.exited).toBe("SIGKILL");
    expect(lockHolder(dir).pid, "SIGKILL leaves the lock behind").toBe(holder.pid);

    const next = await start(dir);
    expect(lockHolder(dir).pid).toBe(process.pid);
    const again = await signedRequest(next, "POST", `/identities?${PREVIEW}`, { body: { customId: "survivor" } });
    expect(again.json.identity.id).toBe(created.json.identity.id);
  });

  it("takes over a lock whose process is gone", async () => {
    const dir = tempDir();
    await start(dir).then(async (e) => {
      running.splice(running.indexOf(e), 1);
      await e.close();
    });
    writeLock(dir, { pid: await deadPid() });
    await start(dir);
    expect(lockHolder(dir).pid).toBe(process.pid);
  });

  it("takes over a lock of its own pid from an earlier life (a restarted container's pid 1)", async () => {
    const dir = tempDir();
    writeLock(dir, { pid: process.pid });
    await start(dir);
    expect(lockHolder(dir).nonce).not.toBe("stale-nonce");
  });

  it("refuses a lock of its own pid written since this process started (another worker thread holds it)", async () => {
    const dir = tempDir();
    writeLock(dir, { pid: process.pid, startedAt: new Date().toISOString() });
    await expect(start(dir)).rejects.toThrow(new RegExp(`in use by another emulator in this process \\(pid ${process.pid}\\b`));
    expect(lockHolder(dir).nonce).toBe("stale-nonce");
  });

  it.runIf(process.platform === "linux")("takes over a lock whose pid now belongs to another process (pid reused)", async () => {
    const dir = tempDir();
    // The parent of this test process is alive, but it is not the process that wrote this lock: its start time differs.
    writeLock(dir, { pid: process.ppid, processStart: "1" });
    await start(dir);
    expect(lockHolder(dir).pid).toBe(process.pid);
  });

  it("takes over an unreadable lock file", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, LOCK_FILE), "");
    await start(dir);
    expect(lockHolder(dir).pid).toBe(process.pid);
  });

  it("refuses a lock held on another host, saying which file to delete if that host no longer runs it", async () => {
    const dir = tempDir();
    writeLock(dir, { pid: 4242, host: "build-agent-7" });
    const error = await start(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocationLockedError);
    expect((error as Error).message).toContain("host build-agent-7 (pid 4242");
    expect((error as Error).message).toContain(path.join(dir, LOCK_FILE));
    expect(lockHolder(dir).pid, "the other host's lock is left alone").toBe(4242);
  });

  it("lets exactly one of several emulators racing for a stale lock start", async () => {
    const dir = tempDir();
    await start(dir).then(async (e) => {
      running.splice(running.indexOf(e), 1);
      await e.close();
    });
    writeLock(dir, { pid: await deadPid() });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => startIdentityEmulator({ port: 0, location: dir })));
    const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    running.push(...started);
    expect(started).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(LocationLockedError);
    expect(lockHolder(dir).pid).toBe(process.pid);
  });

  it("leaves no lock behind when it refuses a location (a foreign directory)", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "notes.txt"), "mine");
    await expect(start(dir)).rejects.toThrow(/not empty/);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
});

describe("removeIfStill (taking over a stale lock)", () => {
  const owner = (nonce: string, pid: number) =>
    ({ format: "communication-identity-emulator/lock", pid, host: hostname(), nonce, startedAt: "2026-01-01T00:00:00.000Z" }) as const;

  it("removes the stale lock it read", async () => {
    const dir = tempDir();
    const stale = owner("stale", 1);
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(stale));
    await removeIfStill(path.join(dir, LOCK_FILE), stale);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it("keeps a fresh lock another starter put there after the stale one was read", async () => {
    const dir = tempDir();
    const fresh = owner("fresh", process.pid);
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(fresh));
    await removeIfStill(path.join(dir, LOCK_FILE), owner("stale", 1));
    expect(lockHolder(dir).nonce).toBe("fresh");
    expect(readdirSync(dir), "nothing set aside is left behind").toEqual([LOCK_FILE]);
  });
});
