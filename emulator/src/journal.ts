/**
 * The journal behind `location`: the durable state of every store, one JSON record per line, fsync'ed
 * before the write is acknowledged. Writes arriving while a sync is in flight are batched into the
 * next one (group commit), so durability costs one fdatasync per batch rather than one per request.
 *
 * ## File shape
 * Line 1 is the header: `{"format":"communication-identity-emulator/journal","version":2,…resource keys}`.
 * Every other line is a self-describing record `{"t":"<kind>",…}`. Each kind belongs to exactly one
 * store; an unknown kind or a malformed record makes `open` refuse the file (never silently drop state).
 *
 * ## Stores
 * A store that keeps state here implements {@link JournaledStore}: it declares its record kinds (`kinds`),
 * validates them (`check`), replays them in file order at open (`apply`), receives the journal (`attach`)
 * and from then on applies each change in memory first, synchronously, then `append`s its record.
 * `IdentityStore` is the one the emulator opens: it owns the kinds `create`, `token`, `revoke`, `delete`,
 * `reset`, `identity`, `sequence`, and `assignment` for its `assignments` (an `AssignmentStore` that writes
 * through it). Another store either goes the same way or is passed to
 * `IdentityStore.open(dir, accessKey, { stores: [store] })`; two stores never share a kind. A response
 * waits on {@link Journal.lastAppend} (through `IdentityStore.durable()`), which covers every store's appends.
 *
 * ## Compaction
 * At open, and whenever the journal has grown by `compactAfterBytes` since the last compaction, the
 * journal is rewritten as the header followed by every store's `snapshot()`: self-describing records
 * that rebuild its live state on their own, replacing (not adding to) whatever earlier records said
 * about the same key, and carrying every field the store keeps. Today:
 * - `{"t":"identity","id",…every IdentityRecord field}`, one per live identity, and the same with
 *   `"deleted":true` (and `deletedAt`) per deleted one the control API still lists;
 * - `{"t":"sequence","seq"}`: the token issue sequence reached;
 * - `{"t":"assignment","id","kind","value"}` per live assignment (the same record its writes use).
 *
 * The snapshot is taken in the same synchronous step as the not-yet-written appends are taken from
 * the queue, so it holds exactly their effects; it is written to a temp file, fsync'ed and renamed over
 * the journal, and only then are those appends acknowledged. A kill at any moment leaves either the
 * old file (everything acknowledged) or the new one.
 */
import { promises as fs } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { LocationLock } from "./locationLock.js";

export const JOURNAL_FILE = "identity-emulator.journal";
/** Written by a compaction before it replaces the journal; a leftover one (killed mid-compaction) is deleted at open. */
export const COMPACTION_FILE = `${JOURNAL_FILE}.compact.tmp`;
/** Files of this emulator in a location start with this (journal, lock, TLS); anything else makes the location foreign. */
const OWN_FILE_PREFIX = "identity-emulator";
const FORMAT = "communication-identity-emulator/journal";
/** Version 2 may hold snapshot records; version 1 files (appends only) are still read. */
const VERSION = 2;
const READABLE_VERSIONS: readonly unknown[] = [1, 2];
/** Growth that triggers a compaction by default, unless the compacted journal is larger still. */
const DEFAULT_COMPACT_AFTER_BYTES = 8 * 1024 * 1024;

/** One line of the journal after the header. */
export interface JournalRecord {
  t: string;
}

export interface JournalWriter {
  /** Resolves once the record is on disk. */
  append(record: JournalRecord): Promise<void>;
}

/** A store whose state lives in the journal (see the file comment). */
export interface JournaledStore {
  /** The record kinds (`t`) this store writes; no two stores share one. */
  readonly kinds: readonly string[];
  /** Returns the record if it is a well-formed record of its kind; throws an Error with a short reason otherwise. */
  check(record: JournalRecord & Record<string, unknown>): JournalRecord;
  /** Replays one record at open, in file order. */
  apply(record: JournalRecord): void;
  /** Records that rebuild the live state on their own; compaction writes these instead of the history. */
  snapshot(): Iterable<JournalRecord>;
  /** Called once the journal is open (and its records replayed): where this store appends from now on. */
  attach(journal: JournalWriter): void;
}

export interface JournalOptions<H extends object> {
  /** The header of a new journal (the resource's keys). */
  createHeader: () => H;
  /** The stores kept in this journal, made once its header is known; may throw to refuse the header. */
  stores: (header: H) => readonly JournaledStore[];
  /** Growth in bytes that triggers a compaction. Default: 8 MiB or the compacted size, whichever is larger. */
  compactAfterBytes?: number;
}

interface PendingWrite {
  line: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalError";
  }
}

export class Journal implements JournalWriter {
  private pending: PendingWrite[] = [];
  private flushing = false;
  private failure: Error | undefined;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private lastWrite: Promise<void> | undefined;
  private compactionDue = false;
  private bytesSinceCompaction = 0;
  private compactedBytes = 0;

  private constructor(
    private handle: FileHandle,
    readonly file: string,
    private readonly dir: string,
    private readonly headerLine: string,
    private readonly stores: readonly JournaledStore[],
    private readonly compactAfterBytes: number | undefined,
    private readonly lock: LocationLock,
  ) {}

  /**
   * Locks `dir`, opens (or creates) its journal, replays it into `stores`, and returns the header.
   * Refuses foreign or corrupt content with a message naming the file; only a torn final line (no
   * newline: it was never acknowledged) is cut off.
   */
  static async open<H extends object>(dir: string, options: JournalOptions<H>): Promise<{ journal: Journal; header: H }> {
    await ensureDirectory(dir);
    const lock = await LocationLock.acquire(dir);
    try {
      return await Journal.openLocked(dir, options, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private static async openLocked<H extends object>(
    dir: string,
    { createHeader, stores, compactAfterBytes }: JournalOptions<H>,
    lock: LocationLock,
  ): Promise<{ journal: Journal; header: H }> {
    const file = path.join(dir, JOURNAL_FILE);
    await fs.rm(path.join(dir, COMPACTION_FILE), { force: true }); // a compaction killed before its rename: the journal is whole
    let text: string | undefined;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const open = (handle: FileHandle, headerLine: string, stores: readonly JournaledStore[]) => {
      const journal = new Journal(handle, file, dir, headerLine, stores, compactAfterBytes, lock);
      for (const store of stores) store.attach(journal);
      return journal;
    };
    if (text === undefined) {
      const entries = (await fs.readdir(dir)).filter((name) => !name.startsWith(OWN_FILE_PREFIX));
      if (entries.length > 0) {
        throw new JournalError(
          `Emulator location ${dir} is not empty and holds no ${JOURNAL_FILE}; refusing to use a directory with foreign files.`,
        );
      }
      const header = createHeader();
      const created = stores(header);
      ownersOf(created);
      const headerLine = `${JSON.stringify({ format: FORMAT, version: VERSION, ...header })}\n`;
      await writeAtomically(dir, file, headerLine);
      return { journal: open(await fs.open(file, "a"), headerLine, created), header };
    }

    const lines = text.split("\n");
    const tail = lines.pop() ?? ""; // torn last write (no newline): never acknowledged, cut off below
    if (lines.length === 0) throw new JournalError(`${file} is not a communication-identity emulator journal (no header line).`);
    let headerValue: unknown;
    try {
      headerValue = JSON.parse(lines[0]);
    } catch {
      throw new JournalError(`${file} is not a communication-identity emulator journal (unreadable header).`);
    }
    const h = headerValue as { format?: unknown; version?: unknown };
    if (typeof headerValue !== "object" || headerValue === null || h.format !== FORMAT) {
      throw new JournalError(`${file} is not a communication-identity emulator journal (unexpected header).`);
    }
    if (!READABLE_VERSIONS.includes(h.version)) {
      throw new JournalError(`${file} has journal version ${String(h.version)}; this emulator reads versions ${READABLE_VERSIONS.join(" and ")}.`);
    }
    const { format: _f, version: _v, ...header } = headerValue as Record<string, unknown>;
    const replayed = stores(header as H);
    const owners = ownersOf(replayed);
    for (let i = 1; i < lines.length; i++) {
      const corrupt = (reason: string) =>
        new JournalError(`${file} is corrupt at line ${i + 1}: ${reason} Refusing to start rather than lose state.`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(lines[i]);
      } catch {
        throw corrupt("not valid JSON.");
      }
      const kind = typeof parsed === "object" && parsed !== null ? (parsed as { t?: unknown }).t : undefined;
      const store = typeof kind === "string" ? owners.get(kind) : undefined;
      if (!store) throw corrupt(`unexpected record kind ${JSON.stringify(kind)?.slice(0, 40) ?? "(none)"}.`);
      let record: JournalRecord;
      try {
        record = store.check(parsed as JournalRecord & Record<string, unknown>);
      } catch (error) {
        throw corrupt((error as Error).message);
      }
      store.apply(record);
    }
    if (tail !== "") {
      const handle = await fs.open(file, "r+");
      try {
        await handle.truncate(Buffer.byteLength(text) - Buffer.byteLength(tail));
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    // A version 1 file keeps its header line until a compaction rewrites it as version 2.
    const journal = open(await fs.open(file, "a"), `${JSON.stringify({ ...headerValue, format: FORMAT, version: VERSION })}\n`, replayed);
    // What the history holds beyond the live state counts as growth since a compaction.
    journal.compactedBytes = Buffer.byteLength(journal.snapshotLines());
    journal.bytesSinceCompaction = Math.max(0, Buffer.byteLength(text) - Buffer.byteLength(tail) - journal.compactedBytes);
    if (journal.bytesSinceCompaction > 0 && journal.bytesSinceCompaction >= journal.threshold()) await journal.compactNow();
    return { journal, header: header as H };
  }

  /** Resolves once the record is on disk. */
  append(record: JournalRecord): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new JournalError("The emulator journal is closed."));
    const written = new Promise<void>((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(record)}\n`, resolve, reject });
      if (!this.flushing) void this.flush();
    });
    this.lastWrite = written;
    written.catch(() => undefined); // observed through lastAppend; avoid an unhandled rejection here
    return written;
  }

  /** The most recent append of any store (undefined before the first): a response waits on it. */
  get lastAppend(): Promise<void> | undefined {
    return this.lastWrite;
  }

  /** Rewrites the journal as its live state now (also done automatically, see the file comment). */
  async compactNow(): Promise<void> {
    if (this.failure) throw this.failure;
    this.compactionDue = true;
    if (!this.flushing) void this.flush();
    await this.idle();
    if (this.failure) throw this.failure;
  }

  private threshold(): number {
    return this.compactAfterBytes ?? Math.max(DEFAULT_COMPACT_AFTER_BYTES, this.compactedBytes);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (!this.failure && (this.pending.length > 0 || this.compactionDue)) {
      // Taken in one synchronous step with the snapshot below: the snapshot holds exactly their effects.
      const batch = this.pending.splice(0);
      try {
        if (this.compactionDue && (await this.compact(this.snapshotLines()))) {
          for (const w of batch) w.resolve();
          continue;
        }
        const buffer = Buffer.from(batch.map((w) => w.line).join(""));
        let offset = 0;
        while (offset < buffer.length) {
          const { bytesWritten } = await this.handle.write(buffer, offset);
          offset += bytesWritten;
        }
        await this.handle.datasync();
        this.bytesSinceCompaction += buffer.length;
        if (this.bytesSinceCompaction >= this.threshold()) this.compactionDue = true;
        for (const w of batch) w.resolve();
      } catch (error) {
        // Once a write failed, the file no longer matches memory: refuse every later write too.
        this.failure = new JournalError(`Writing the emulator journal ${this.file} failed: ${(error as Error).message}`);
        for (const w of [...batch, ...this.pending.splice(0)]) w.reject(this.failure);
      }
    }
    this.flushing = false;
    this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private snapshotLines(): string {
    const lines: string[] = [this.headerLine];
    for (const store of this.stores) for (const record of store.snapshot()) lines.push(`${JSON.stringify(record)}\n`);
    return lines.join("");
  }

  /**
   * Writes `content` to a temp file through a new append handle, fsyncs it and renames it over the
   * journal; the handle then appends to the new journal. False (old journal kept, still appended to)
   * when any step before the rename fails.
   */
  private async compact(content: string): Promise<boolean> {
    this.compactionDue = false;
    const temp = path.join(this.dir, COMPACTION_FILE);
    const buffer = Buffer.from(content);
    let handle: FileHandle | undefined;
    try {
      handle = await fs.open(temp, "w", 0o600);
      let offset = 0;
      while (offset < buffer.length) {
        const { bytesWritten } = await handle.write(buffer, offset);
        offset += bytesWritten;
      }
      await handle.sync();
      await fs.rename(temp, this.file);
    } catch {
      await handle?.close().catch(() => undefined);
      await fs.rm(temp, { force: true }).catch(() => undefined);
      // Try again only after as much growth again: a full disk should not turn every batch into a rewrite.
      this.bytesSinceCompaction = 0;
      return false;
    }
    await syncDirectory(this.dir);
    const old = this.handle;
    this.handle = handle;
    await old.close().catch(() => undefined);
    this.compactedBytes = buffer.length;
    this.bytesSinceCompaction = 0;
    return true;
  }

  private idle(): Promise<void> {
    if (!this.flushing) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Waits for pending writes, closes the file and releases the location's lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.idle();
    try {
      await this.handle.close();
    } finally {
      await this.lock.release();
    }
  }
}

/** Which store reads each record kind. */
function ownersOf(stores: readonly JournaledStore[]): Map<string, JournaledStore> {
  const owners = new Map<string, JournaledStore>();
  for (const store of stores) {
    for (const kind of store.kinds) {
      if (owners.has(kind)) throw new TypeError(`Two journaled stores declare the record kind '${kind}'.`);
      owners.set(kind, store);
    }
  }
  return owners;
}

async function ensureDirectory(dir: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await fs.mkdir(dir, { recursive: true });
    return;
  }
  if (!stat.isDirectory()) throw new JournalError(`Emulator location ${dir} exists and is not a directory.`);
}

/** temp file + fsync + rename + fsync(dir): the file either exists whole or not at all. */
async function writeAtomically(dir: string, file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(temp, "w", 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  await syncDirectory(dir);
}

/** Makes a rename in `dir` durable. */
async function syncDirectory(dir: string): Promise<void> {
  let dirHandle: FileHandle | undefined;
  try {
    dirHandle = await fs.open(dir, "r");
    await dirHandle.sync();
  } catch {
    // some filesystems (and Windows) refuse fsync on a directory; the rename is still atomic
  } finally {
    await dirHandle?.close().catch(() => undefined);
  }
}
