/**
 * The emulated resource's state: its keys, its identities, customId mappings and revocations.
 * Mutations apply in memory synchronously (so racing creates with one customId cannot both win)
 * and, with a `location`, are journaled; `durable()` is the barrier a response waits on.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { AssignmentStore, checkAssignmentRecord, type AssignmentJournalRecord } from "./assignmentStore.js";
import { isObject } from "./jsonInput.js";
import { Journal, JournalError, type JournaledStore, type JournalRecord as AnyJournalRecord, type JournalWriter } from "./journal.js";

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
  /** Epoch ms on the emulator's clock; absent in journals written before it was recorded. */
  createdAt?: number;
  tokensRevokedAt?: number;
  /** Tokens issued to this identity. */
  tokensIssued?: number;
}

/** An identity as the control API lists it (`GET /_emulator/identities`, `emulator.identities()`). */
export interface IdentitySummary {
  /** The identity's id, `8:acs:<resourceId>_<guid>`, as the service returned it to `createUser`. */
  id: string;
  /** The `customId` it was created with; absent when none was given. */
  customId?: string;
  /**
   * When it was created (the emulator's clock, ISO 8601); absent only for identities read from a `location`
   * journal written before the emulator recorded it.
   */
  createdAt?: string;
  /** When its latest access token was issued (the emulator's clock, ISO 8601); absent until one is. */
  lastTokenIssuedAt?: string;
  /**
   * When its tokens were last revoked (the emulator's clock, ISO 8601); absent if they never were (or only in a
   * journal written before the emulator recorded it).
   */
  tokensRevokedAt?: string;
  /** How many access tokens were issued to it (revoked ones included); 0 when none. */
  tokensIssued: number;
  /** `true` for a deleted identity (deleted ones are listed after the live ones until a reset). */
  deleted: boolean;
  /**
   * When it was deleted (the emulator's clock, ISO 8601); absent for a live identity (and for a deletion read from a
   * journal written before the emulator recorded it).
   */
  deletedAt?: string;
}

// `at` on create/revoke/delete/reset: epoch ms, optional because older journals lack it.
type JournalRecord =
  | { t: "create"; id: string; customId?: string; at?: number }
  | { t: "token"; id: string; seq: number; at: number }
  | { t: "revoke"; id: string; seq: number; at?: number }
  | { t: "delete"; id: string; seq: number; at?: number }
  | { t: "reset"; at?: number }
  | AssignmentJournalRecord
  // Written by a compaction (journal.ts): the whole state of one identity, live or deleted, then the sequence reached.
  | ({ t: "identity"; deleted?: true; deletedAt?: number } & IdentityRecord)
  | { t: "sequence"; seq: number };

const RECORD_KINDS = ["create", "token", "revoke", "delete", "reset", "assignment", "identity", "sequence"] as const;

export interface IdentityStoreOptions {
  /** Other stores kept in the same journal (see journal.ts). */
  stores?: readonly JournaledStore[];
  /** Growth in bytes that triggers a journal compaction (see journal.ts for the default). */
  compactAfterBytes?: number;
}

type OpenJournal = JournalWriter & { readonly lastAppend: Promise<void> | undefined; close(): Promise<void> };

export class IdentityStore implements JournaledStore {
  /** @internal The journal record kinds this store reads and writes. */
  readonly kinds = RECORD_KINDS;
  private readonly identities = new Map<string, IdentityRecord>();
  private readonly byCustomId = new Map<string, string>();
  /** Deleted identities, kept for the control API's listing until a reset. */
  private readonly deleted: Array<IdentityRecord & { deletedAt?: number }> = [];
  private seq = 0;
  private now: () => Date = () => new Date();
  private journal: OpenJournal | undefined;
  readonly secrets: ResourceSecrets;
  /** Access assignments (Teams Phone extensibility, Entra ID), journaled with the identities. */
  readonly assignments = new AssignmentStore((record) => this.write(record));

  private constructor(readonly keys: ResourceKeys) {
    const decode = (base64: string) => Buffer.from(base64, "base64");
    this.secrets = {
      access: decode(keys.accessKey),
      token: decode(keys.tokenSecret),
      bearer: decode(keys.bearerSecret),
      entra: decode(keys.entraSecret),
    };
  }

  static inMemory(accessKey?: string): IdentityStore {
    return new IdentityStore(newKeys(accessKey));
  }

  /**
   * Locks `dir` and loads (or initialises) the state kept there. Throws a clear error on foreign or
   * corrupt content, and a `LocationLockedError` naming the holder's pid when another emulator uses it.
   */
  static async open(dir: string, accessKey?: string, options: IdentityStoreOptions = {}): Promise<IdentityStore> {
    let store: IdentityStore | undefined;
    await Journal.open<ResourceKeys>(dir, {
      createHeader: () => newKeys(accessKey),
      compactAfterBytes: options.compactAfterBytes,
      stores: (keys) => {
        if (!isKeys(keys)) throw new JournalError(`The journal in ${dir} has an unreadable resource header.`);
        if (accessKey !== undefined && accessKey !== keys.accessKey) {
          throw new JournalError(
            `Emulator location ${dir} belongs to a resource with a different access key; omit the access key or use another location.`,
          );
        }
        store = new IdentityStore(keys);
        return [store, ...(options.stores ?? [])];
      },
    });
    return store!;
  }

  /** Creates an identity, or returns the one already mapped to `customId`. */
  create(customId?: string): IdentityRecord {
    if (customId !== undefined) {
      const existing = this.byCustomId.get(customId);
      if (existing) return this.identities.get(existing)!;
    }
    const id = `8:acs:${this.keys.resourceId}_${randomUUID()}`;
    const at = this.now().getTime();
    this.write(customId === undefined ? { t: "create", id, at } : { t: "create", id, customId, at });
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
    this.write({ t: "revoke", id, seq: this.nextSeq(), at: this.now().getTime() });
  }

  delete(id: string): void {
    this.write({ t: "delete", id, seq: this.nextSeq(), at: this.now().getTime() });
  }

  /**
   * Forgets every identity (live and deleted) and every access assignment; the resource's keys stay, so
   * connection strings keep working. Journaled like any change.
   */
  reset(): void {
    for (const record of this.assignments.snapshot()) this.write({ ...record, value: null });
    this.write({ t: "reset", at: this.now().getTime() });
  }

  /** The clock that stamps createdAt, tokensRevokedAt and deletedAt (the emulator's, offset included). */
  useClock(now: () => Date): void {
    this.now = now;
  }

  /** Live identities in creation order, then deleted ones. */
  list(): IdentitySummary[] {
    const iso = (ms: number) => new Date(ms).toISOString();
    const summary = (identity: IdentityRecord & { deletedAt?: number }, deleted: boolean): IdentitySummary => {
      // Built in reading order: who, when made, tokens, whether gone.
      return {
        id: identity.id,
        ...(identity.customId === undefined ? {} : { customId: identity.customId }),
        ...(identity.createdAt === undefined ? {} : { createdAt: iso(identity.createdAt) }),
        tokensIssued: identity.tokensIssued ?? 0,
        ...(identity.lastTokenIssuedAt === undefined ? {} : { lastTokenIssuedAt: iso(identity.lastTokenIssuedAt) }),
        ...(identity.tokensRevokedAt === undefined ? {} : { tokensRevokedAt: iso(identity.tokensRevokedAt) }),
        deleted,
        ...(identity.deletedAt === undefined ? {} : { deletedAt: iso(identity.deletedAt) }),
      };
    };
    return [...[...this.identities.values()].map((identity) => summary(identity, false)), ...this.deleted.map((identity) => summary(identity, true))];
  }

  /**
   * The last write of any store in this location (undefined when nothing needs waiting for:
   * in-memory mode keeps the hot path synchronous).
   */
  durable(): Promise<void> | undefined {
    return this.journal?.lastAppend;
  }

  /** Waits for pending writes, closes the journal and releases the location. */
  async close(): Promise<void> {
    await this.journal?.close();
  }

  private write(record: JournalRecord): void {
    this.apply(record);
    this.journal?.append(record).catch(() => undefined); // observed through durable()
  }

  // ---- JournaledStore (journal.ts) ----------------------------------------------------------

  /** @internal */
  attach(journal: JournalWriter): void {
    this.journal = journal as OpenJournal;
  }

  /** @internal */
  check(record: AnyJournalRecord & Record<string, unknown>): JournalRecord {
    return checkRecord(record);
  }

  /** @internal Live identities, deleted ones (listed until a reset), the issue sequence reached, the assignments. */
  *snapshot(): Iterable<JournalRecord> {
    for (const identity of this.identities.values()) yield { t: "identity", ...identity };
    for (const identity of this.deleted) yield { t: "identity", ...identity, deleted: true };
    yield { t: "sequence", seq: this.seq };
    yield* this.assignments.snapshot();
  }

  /** @internal Replays a record at open, or applies a change before it is journaled. */
  apply(anyRecord: AnyJournalRecord): void {
    const record = anyRecord as JournalRecord;
    if ("seq" in record && record.seq > this.seq) this.seq = record.seq;
    switch (record.t) {
      case "create": {
        const identity: IdentityRecord = { id: record.id, revokedBeforeSeq: 0 };
        if (record.at !== undefined) identity.createdAt = record.at;
        if (record.customId !== undefined) {
          identity.customId = record.customId;
          this.byCustomId.set(record.customId, record.id);
        }
        this.identities.set(record.id, identity);
        break;
      }
      case "token": {
        const identity = this.identities.get(record.id);
        if (identity) {
          identity.lastTokenIssuedAt = record.at;
          identity.tokensIssued = (identity.tokensIssued ?? 0) + 1;
        }
        break;
      }
      case "revoke": {
        const identity = this.identities.get(record.id);
        if (identity) {
          identity.revokedBeforeSeq = record.seq;
          if (record.at !== undefined) identity.tokensRevokedAt = record.at;
        }
        break;
      }
      case "delete": {
        const identity = this.identities.get(record.id);
        if (identity?.customId !== undefined) this.byCustomId.delete(identity.customId);
        if (identity) this.deleted.push({ ...identity, deletedAt: record.at });
        this.identities.delete(record.id);
        break;
      }
      case "reset":
        this.identities.clear();
        this.byCustomId.clear();
        this.deleted.length = 0;
        break;
      case "assignment":
        this.assignments.apply(record);
        break;
      case "identity": {
        const { t: _t, deleted, ...identity } = record;
        if (deleted) {
          this.deleted.push(identity);
          break;
        }
        this.identities.set(identity.id, identity);
        if (identity.customId !== undefined) this.byCustomId.set(identity.customId, identity.id);
        break;
      }
      case "sequence":
        break; // it only raises the sequence, above
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

const OPTIONAL_NUMBERS = ["lastTokenIssuedAt", "createdAt", "tokensRevokedAt", "tokensIssued", "deletedAt"] as const;

function checkRecord(value: Record<string, unknown>): JournalRecord {
  const bad = () => new Error(`unexpected ${JSON.stringify(String(value.t)).slice(0, 40)} record.`);
  if (value.t === "reset") return value as JournalRecord;
  if (value.t === "sequence") {
    if (typeof value.seq !== "number") throw bad();
    return value as JournalRecord;
  }
  if (typeof value.id !== "string") throw bad();
  switch (value.t) {
    case "identity":
      if (value.customId !== undefined && typeof value.customId !== "string") throw bad();
      if (typeof value.revokedBeforeSeq !== "number") throw bad();
      if (OPTIONAL_NUMBERS.some((field) => value[field] !== undefined && typeof value[field] !== "number")) throw bad();
      if (value.deleted !== undefined && value.deleted !== true) throw bad();
      return value as JournalRecord;
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
    case "assignment":
      return checkAssignmentRecord(value);
    default:
      throw bad();
  }
}
