/**
 * The emulated resource's state: its keys, its identities, customId mappings and revocations.
 * Mutations apply in memory synchronously (so racing creates with one customId cannot both win)
 * and, with a `location`, are journaled; `durable()` is the barrier a response waits on.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { isObject } from "./jwt.js";
import { Journal, JournalError } from "./journal.js";

export interface ResourceKeys {
  /** The resource's GUID, the middle part of every `8:acs:` id. */
  resourceId: string;
  /** Base64 HMAC key, the `accesskey` of the connection string. */
  accessKey: string;
  /** Base64 secrets signing ACS access tokens, management bearer tokens and test Entra tokens. */
  tokenSecret: string;
  bearerSecret: string;
  entraSecret: string;
}

/** The same secrets as raw bytes, decoded once: they sign or verify something on every request. */
export interface ResourceSecrets {
  access: Buffer;
  token: Buffer;
  bearer: Buffer;
  entra: Buffer;
}

export interface IdentityRecord {
  id: string;
  customId?: string;
  /** Tokens with an issue sequence below this were revoked. */
  revokedBeforeSeq: number;
  lastTokenIssuedAt?: number;
}

type JournalRecord =
  | { t: "create"; id: string; customId?: string }
  | { t: "token"; id: string; seq: number; at: number }
  | { t: "revoke"; id: string; seq: number }
  | { t: "delete"; id: string; seq: number };

export class IdentityStore {
  private readonly identities = new Map<string, IdentityRecord>();
  private readonly byCustomId = new Map<string, string>();
  private seq = 0;
  private lastWrite: Promise<void> | undefined;
  readonly secrets: ResourceSecrets;

  private constructor(
    readonly keys: ResourceKeys,
    private readonly journal: Journal<JournalRecord> | undefined,
  ) {
    const decode = (base64: string) => Buffer.from(base64, "base64");
    this.secrets = {
      access: decode(keys.accessKey),
      token: decode(keys.tokenSecret),
      bearer: decode(keys.bearerSecret),
      entra: decode(keys.entraSecret),
    };
  }

  static inMemory(accessKey?: string): IdentityStore {
    return new IdentityStore(newKeys(accessKey), undefined);
  }

  /** Loads (or initialises) the state kept in `dir`. Throws a clear error on foreign or corrupt content. */
  static async open(dir: string, accessKey?: string): Promise<IdentityStore> {
    const { journal, contents } = await Journal.open<ResourceKeys, JournalRecord>(dir, () => newKeys(accessKey), checkRecord);
    const keys = contents.header;
    if (!isKeys(keys)) {
      await journal.close();
      throw new JournalError(`${journal.file} has an unreadable resource header.`);
    }
    if (accessKey !== undefined && accessKey !== keys.accessKey) {
      await journal.close();
      throw new JournalError(
        `Emulator location ${dir} belongs to a resource with a different access key; omit the access key or use another location.`,
      );
    }
    const store = new IdentityStore(keys, journal);
    for (const record of contents.records) store.apply(record);
    return store;
  }

  /** Creates an identity, or returns the one already mapped to `customId`. */
  create(customId?: string): IdentityRecord {
    if (customId !== undefined) {
      const existing = this.byCustomId.get(customId);
      if (existing) return this.identities.get(existing)!;
    }
    const id = `8:acs:${this.keys.resourceId}_${randomUUID()}`;
    this.write(customId === undefined ? { t: "create", id } : { t: "create", id, customId });
    return this.identities.get(id)!;
  }

  get(id: string): IdentityRecord | undefined {
    return this.identities.get(id);
  }

  /** Allocates the next issue sequence (also for tokens of identities we do not store). */
  nextSeq(): number {
    return ++this.seq;
  }

  recordTokenIssued(id: string, seq: number, at: Date): void {
    this.write({ t: "token", id, seq, at: at.getTime() });
  }

  revoke(id: string): void {
    this.write({ t: "revoke", id, seq: this.nextSeq() });
  }

  delete(id: string): void {
    this.write({ t: "delete", id, seq: this.nextSeq() });
  }

  /** Undefined when nothing needs waiting for (in-memory mode keeps the hot path synchronous). */
  durable(): Promise<void> | undefined {
    return this.lastWrite;
  }

  async close(): Promise<void> {
    if (this.lastWrite) await this.lastWrite.catch(() => undefined);
    await this.journal?.close();
  }

  private write(record: JournalRecord): void {
    this.apply(record);
    if (this.journal) {
      const pending = this.journal.append(record);
      pending.catch(() => undefined); // observed through durable(); avoid an unhandled rejection here
      this.lastWrite = pending;
    }
  }

  private apply(record: JournalRecord): void {
    if ("seq" in record && record.seq > this.seq) this.seq = record.seq;
    switch (record.t) {
      case "create": {
        const identity: IdentityRecord = { id: record.id, revokedBeforeSeq: 0 };
        if (record.customId !== undefined) {
          identity.customId = record.customId;
          this.byCustomId.set(record.customId, record.id);
        }
        this.identities.set(record.id, identity);
        break;
      }
      case "token": {
        const identity = this.identities.get(record.id);
        if (identity) identity.lastTokenIssuedAt = record.at;
        break;
      }
      case "revoke": {
        const identity = this.identities.get(record.id);
        if (identity) identity.revokedBeforeSeq = record.seq;
        break;
      }
      case "delete": {
        const identity = this.identities.get(record.id);
        if (identity?.customId !== undefined) this.byCustomId.delete(identity.customId);
        this.identities.delete(record.id);
        break;
      }
    }
  }
}

function newKeys(accessKey?: string): ResourceKeys {
  return {
    resourceId: randomUUID(),
    accessKey: accessKey ?? randomBytes(32).toString("base64"),
    tokenSecret: randomBytes(32).toString("base64"),
    bearerSecret: randomBytes(32).toString("base64"),
    entraSecret: randomBytes(32).toString("base64"),
  };
}

function isKeys(value: unknown): value is ResourceKeys {
  return (
    isObject(value) &&
    ["resourceId", "accessKey", "tokenSecret", "bearerSecret", "entraSecret"].every((k) => typeof value[k] === "string")
  );
}

function checkRecord(value: unknown, line: number): JournalRecord {
  const bad = () => new JournalError(`unexpected record (line ${line}).`);
  if (!isObject(value) || typeof value.id !== "string") throw bad();
  switch (value.t) {
    case "create":
      if (value.customId !== undefined && typeof value.customId !== "string") throw bad();
      return value as JournalRecord;
    case "token":
      if (typeof value.seq !== "number" || typeof value.at !== "number") throw bad();
      return value as JournalRecord;
    case "revoke":
    case "delete":
      if (typeof value.seq !== "number") throw bad();
      return value as JournalRecord;
    default:
      throw bad();
  }
}
