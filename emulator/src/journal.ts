/**
 * The append-only journal behind `location`: one JSON record per line, fsync'ed before the write is
 * acknowledged. Writes arriving while a sync is in flight are batched into the next one (group
 * commit), so durability costs one fdatasync per batch rather than one per request.
 */
import { promises as fs } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";

export const JOURNAL_FILE = "identity-emulator.journal";
const FORMAT = "communication-identity-emulator/journal";
const VERSION = 1;

export interface JournalContents<H, R> {
  header: H;
  records: R[];
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

export class Journal<R extends object> {
  private pending: PendingWrite[] = [];
  private flushing = false;
  private failure: Error | undefined;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
  ) {}

  /**
   * Opens (or creates) the journal in `dir` and returns what it holds. Refuses foreign or corrupt
   * content with a message naming the file; only a torn final line (no newline: it was never
   * acknowledged) is cut off.
   */
  static async open<H extends object, R extends object>(
    dir: string,
    createHeader: () => H,
    checkRecord: (record: unknown, line: number) => R,
  ): Promise<{ journal: Journal<R>; contents: JournalContents<H, R> }> {
    const file = path.join(dir, JOURNAL_FILE);
    await ensureDirectory(dir);
    let text: string | undefined;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text === undefined) {
      const entries = (await fs.readdir(dir)).filter((name) => !name.startsWith(`${JOURNAL_FILE}.`));
      if (entries.length > 0) {
        throw new JournalError(
          `Emulator location ${dir} is not empty and holds no ${JOURNAL_FILE}; refusing to use a directory with foreign files.`,
        );
      }
      const header = createHeader();
      await writeAtomically(dir, file, `${JSON.stringify({ format: FORMAT, version: VERSION, ...header })}\n`);
      const handle = await fs.open(file, "a");
      return { journal: new Journal<R>(handle, file), contents: { header, records: [] } };
    }

    const lines = text.split("\n");
    const tail = lines.pop() ?? ""; // torn last write (no newline): never acknowledged, cut off below
    if (lines.length === 0) throw new JournalError(`${file} is not a communication-identity emulator journal (no header line).`);
    let headerLine: unknown;
    try {
      headerLine = JSON.parse(lines[0]);
    } catch {
      throw new JournalError(`${file} is not a communication-identity emulator journal (unreadable header).`);
    }
    const h = headerLine as { format?: unknown; version?: unknown };
    if (typeof headerLine !== "object" || headerLine === null || h.format !== FORMAT) {
      throw new JournalError(`${file} is not a communication-identity emulator journal (unexpected header).`);
    }
    if (h.version !== VERSION) throw new JournalError(`${file} has journal version ${String(h.version)}; this emulator reads version ${VERSION}.`);
    const records: R[] = [];
    for (let i = 1; i < lines.length; i++) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(lines[i]);
      } catch {
        throw new JournalError(`${file} is corrupt at line ${i + 1}: not valid JSON. Refusing to start rather than lose state.`);
      }
      try {
        records.push(checkRecord(parsed, i + 1));
      } catch (error) {
        throw new JournalError(`${file} is corrupt at line ${i + 1}: ${(error as Error).message} Refusing to start rather than lose state.`);
      }
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
    const appendHandle = await fs.open(file, "a");
    const { format: _f, version: _v, ...header } = headerLine as Record<string, unknown>;
    return { journal: new Journal<R>(appendHandle, file), contents: { header: header as H, records } };
  }

  /** Resolves once the record is on disk. */
  append(record: R): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new JournalError("The emulator journal is closed."));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(record)}\n`, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const buffer = Buffer.from(batch.map((w) => w.line).join(""));
        let offset = 0;
        while (offset < buffer.length) {
          const { bytesWritten } = await this.handle.write(buffer, offset);
          offset += bytesWritten;
        }
        await this.handle.datasync();
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

  async close(): Promise<void> {
    if (this.flushing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.closed = true;
    await this.handle.close();
  }
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
  const dirHandle = await fs.open(dir, "r");
  try {
    await dirHandle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic
  } finally {
    await dirHandle.close();
  }
}
