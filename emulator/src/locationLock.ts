/**
 * One emulator per `location`: a lock file naming the holder (pid, host, a random nonce). It appears
 * whole or not at all (written to a temp file, then hard-linked into place, which fails if a lock
 * exists), so a reader never sees a half-written lock. A lock whose process is gone (killed, crashed,
 * or from before a reboot) is stale and taken over; a live holder makes the second emulator refuse
 * to start with a message naming its pid.
 */
import { randomUUID } from "node:crypto";
import { promises as fs, readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

export const LOCK_FILE = "identity-emulator.lock";
const FORMAT = "communication-identity-emulator/lock";
/** Rounds of "stale, take over, someone else won" before giving up (only racing starters loop). */
const MAX_ATTEMPTS = 5;

/** @internal What a lock file holds. */
export interface LockOwner {
  format: typeof FORMAT;
  pid: number;
  host: string;
  nonce: string;
  startedAt: string;
  /** Linux: the holder's start time in clock ticks since boot, and the boot id; they tell a reused pid apart. */
  processStart?: string;
  bootId?: string;
}

/** The location is held by a live emulator (or one this process cannot prove dead). */
export class LocationLockedError extends Error {
  readonly holderPid: number;
  constructor(message: string, holderPid: number) {
    super(message);
    this.name = "LocationLockedError";
    this.holderPid = holderPid;
  }
}

// Nonces of the locks held by this process, shared by every copy of this module a process loads (ESM and CJS).
const heldHere: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for("communication-identity-emulator.locks")] ??=
  new Set<string>()) as Set<string>;

export class LocationLock {
  private released = false;

  private constructor(
    readonly file: string,
    private readonly nonce: string,
  ) {}

  /** Takes the lock of `dir` (which must exist), taking over a stale one; throws `LocationLockedError` if it is held. */
  static async acquire(dir: string): Promise<LocationLock> {
    const file = path.join(dir, LOCK_FILE);
    const owner: LockOwner = {
      format: FORMAT,
      pid: process.pid,
      host: hostname(),
      nonce: randomUUID(),
      startedAt: new Date().toISOString(),
      ...linuxProcessIdentity(process.pid),
    };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (await createExclusively(dir, file, owner)) {
        heldHere.add(owner.nonce);
        return new LocationLock(file, owner.nonce);
      }
      const holder = await readOwner(file);
      if (holder === "gone") continue; // released between our attempt and the read: try again
      if (holder !== "unreadable") {
        const verdict = judge(holder);
        if (verdict !== "stale") throw lockedError(dir, holder, verdict);
      }
      await removeIfStill(file, holder);
    }
    throw new LocationLockedError(`Emulator location ${dir} is being taken by another emulator starting at the same time; try again.`, 0);
  }

  /** Removes the lock if it is still ours (idempotent). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.nonce);
    const holder = await readOwner(this.file);
    if (typeof holder === "object" && holder.nonce === this.nonce) await fs.rm(this.file, { force: true });
  }
}

/** Writes the lock whole into a temp file, then links it into place: false when a lock already exists. */
async function createExclusively(dir: string, file: string, owner: LockOwner): Promise<boolean> {
  const temp = path.join(dir, `${LOCK_FILE}.${owner.nonce}.tmp`);
  const handle = await fs.open(temp, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(owner)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

async function readOwner(file: string): Promise<LockOwner | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (value.format === FORMAT && Number.isInteger(value.pid) && typeof value.host === "string" && typeof value.nonce === "string") {
      return value as LockOwner;
    }
  } catch {
    // fall through: not a lock this emulator wrote
  }
  return "unreadable";
}

/** `stale` when the holder is provably gone; otherwise why it must be left alone. */
function judge(holder: LockOwner): "stale" | "alive" | "this-process" | "other-host" {
  if (holder.host !== hostname()) return "other-host";
  const current = linuxProcessIdentity(holder.pid);
  if (holder.pid === process.pid) {
    if (heldHere.has(holder.nonce)) return "this-process";
    // Our pid but not our lock: another worker thread of this process, or an earlier process that had
    // this pid (a restarted container's pid 1), which wrote it before this process started.
    const earlierProcess =
      holder.processStart !== undefined && current.processStart !== undefined
        ? holder.processStart !== current.processStart || holder.bootId !== current.bootId
        : Date.parse(holder.startedAt) < Date.now() - process.uptime() * 1000;
    return earlierProcess ? "stale" : "this-process";
  }
  if (holder.bootId !== undefined && current.bootId !== undefined && holder.bootId !== current.bootId) return "stale";
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "ESRCH" ? "stale" : "alive";
  }
  // The pid is alive, but it may have been reused by an unrelated process since the lock was written.
  if (holder.processStart !== undefined && current.processStart !== undefined && holder.processStart !== current.processStart) return "stale";
  return "alive";
}

/**
 * Moves the stale lock aside and deletes it, unless another starter replaced it in the meantime
 * (then its fresh lock is put back). Renaming is atomic, so two starters cannot both remove it.
 * @internal Exported for its test: that race cannot be arranged from outside.
 */
export async function removeIfStill(file: string, stale: LockOwner | "unreadable"): Promise<void> {
  const aside = `${file}.${randomUUID()}.stale`;
  try {
    await fs.rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // someone else removed it first
    throw error;
  }
  const moved = await readOwner(aside);
  const same = stale === "unreadable" ? moved === "unreadable" : typeof moved === "object" && moved.nonce === stale.nonce;
  if (!same) {
    try {
      await fs.link(aside, file); // never overwrites: if yet another lock appeared, that one stands
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  await fs.rm(aside, { force: true });
}

function lockedError(dir: string, holder: LockOwner, verdict: "alive" | "this-process" | "other-host"): LocationLockedError {
  const since = `since ${holder.startedAt}`;
  const message =
    verdict === "this-process"
      ? `Emulator location ${dir} is already in use by another emulator in this process (pid ${holder.pid}, ${since}); close it first or use another location.`
      : verdict === "alive"
        ? `Emulator location ${dir} is in use by another emulator (pid ${holder.pid}, ${since}); stop it or use another location.`
        : `Emulator location ${dir} is locked by an emulator on host ${holder.host} (pid ${holder.pid}, ${since}). ` +
          `If it no longer runs there, delete ${path.join(dir, LOCK_FILE)} and start again.`;
  return new LocationLockedError(message, holder.pid);
}

/** On Linux, what tells a process apart from a later one with the same pid; empty elsewhere. */
function linuxProcessIdentity(pid: number): { processStart?: string; bootId?: string } {
  if (process.platform !== "linux") return {};
  const identity: { processStart?: string; bootId?: string } = {};
  try {
    identity.bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    // not available (some sandboxes): fall back to the pid alone
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces and parentheses); starttime is field 22.
    identity.processStart = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    // no such process, or /proc not mounted
  }
  return identity;
}
