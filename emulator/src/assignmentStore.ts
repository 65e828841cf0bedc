/**
 * The resource's access assignments: Teams Phone extensibility (keyed by tenant and object id) and Entra ID
 * (keyed by object id). A {@link JournaledStore} of record kind `assignment`: kept in the identity store's journal
 * (with `location`), replayed through {@link AssignmentStore.apply} at open; in memory only otherwise.
 *
 * Journal records are self-describing: each carries the assignment's whole value (or null once deleted) under a
 * stable `id`, so the latest record per `id` is the state and a compaction may keep just that
 * (see {@link AssignmentStore.snapshot}).
 */
import { isObject } from "./jsonInput.js";
import type { JournaledStore, JournalRecord, JournalWriter } from "./journal.js";

/**
 * What a Teams Phone extensibility assignment's `objectId` is: a Teams resource account or a user. Kept and returned
 * as given; which one it is does not change who may exchange.
 */
export type TeamsExtensionPrincipalType = "resourceAccount" | "user";

/**
 * What an Entra ID assignment's `objectId` names, and so whom it lets exchange: `user` that user (the token's `oid`),
 * `group` the members of that group (one of the token's `groups`), `tenant` every user of that tenant (`objectId` is
 * the tenant id).
 */
export type EntraPrincipalType = "user" | "group" | "tenant";

/**
 * A Teams Phone extensibility access assignment (`PUT /access/teamsExtension/tenants/{tenantId}/assignments/{objectId}`):
 * lets that principal of that tenant exchange its Entra ID token at `POST /access/teamsExtension/:exchangeAccessToken`.
 */
export interface TeamsExtensionAssignment {
  /** The principal's Entra object id (a GUID, as given in the path): what the caller's token must carry as `oid`. */
  objectId: string;
  /** The principal's tenant (a GUID, as given in the path): what the caller's token must carry as `tid`. */
  tenantId: string;
  /** Whether `objectId` is a resource account or a user. */
  principalType: TeamsExtensionPrincipalType;
  /** The client applications (GUIDs, the token's `appid`) that may exchange; absent or empty: any client application. */
  clientIds?: string[];
}

/**
 * An Entra ID access assignment (`PUT /access/entra/assignments/{objectId}`, or the bulk `PATCH`): lets the user,
 * group or tenant `objectId` names exchange its users' Entra ID tokens at `POST /access/entra/:exchangeAccessToken`.
 */
export interface EntraAssignment {
  /** The user's, group's or tenant's id (a GUID, as given in the path), as `principalType` says. */
  objectId: string;
  /** The tenant (a GUID) the caller's token must come from (its `tid`). */
  tenantId: string;
  /** What `objectId` names. */
  principalType: EntraPrincipalType;
  /** The client applications (GUIDs, the token's `appid`) that may exchange; an empty list lets none. */
  clientIds: string[];
}

/** One journal line. `id` is `teamsExtension/<tenantId>/<objectId>` or `entra/<objectId>` (lower-cased). */
export type AssignmentJournalRecord =
  | { t: "assignment"; id: string; kind: "teamsExtension"; value: TeamsExtensionAssignment | null }
  | { t: "assignment"; id: string; kind: "entra"; value: EntraAssignment | null };

/** What an exchange presents: the verified Entra token's claims. */
export interface AccessPrincipal {
  tenantId: string;
  objectId: string;
  appId: string;
  groups: readonly string[];
}

const lower = (value: string) => value.toLowerCase();
const teamsKey = (tenantId: string, objectId: string) => `teamsExtension/${lower(tenantId)}/${lower(objectId)}`;
const entraKey = (objectId: string) => `entra/${lower(objectId)}`;

export class AssignmentStore implements JournaledStore {
  readonly kinds = ["assignment"] as const;
  private readonly teams = new Map<string, TeamsExtensionAssignment>();
  private readonly entra = new Map<string, EntraAssignment>();
  private journal: JournalWriter | undefined;

  /**
   * @param writeThrough - For an owner that journals this store's records itself: applies (through
   *   {@link AssignmentStore.apply}) and journals a record. Without it, the store applies and appends to the journal
   *   it is {@link AssignmentStore.attach}ed to.
   */
  constructor(private readonly writeThrough?: (record: AssignmentJournalRecord) => void) {}

  check(record: JournalRecord & Record<string, unknown>): JournalRecord {
    return checkAssignmentRecord(record);
  }

  attach(journal: JournalWriter): void {
    this.journal = journal;
  }

  private write(record: AssignmentJournalRecord): void {
    if (this.writeThrough) {
      this.writeThrough(record);
      return;
    }
    this.apply(record);
    // Failures surface through the journal's last-append barrier, which every response waits on.
    this.journal?.append(record).catch(() => undefined);
  }

  getTeamsExtension(tenantId: string, objectId: string): TeamsExtensionAssignment | undefined {
    return copy(this.teams.get(teamsKey(tenantId, objectId)));
  }

  /** Creates or replaces; says which. */
  upsertTeamsExtension(assignment: TeamsExtensionAssignment): { created: boolean; assignment: TeamsExtensionAssignment } {
    const id = teamsKey(assignment.tenantId, assignment.objectId);
    const created = !this.teams.has(id);
    this.write({ t: "assignment", id, kind: "teamsExtension", value: copy(assignment) });
    return { created, assignment: copy(this.teams.get(id))! };
  }

  /** False when there was none. */
  deleteTeamsExtension(tenantId: string, objectId: string): boolean {
    const id = teamsKey(tenantId, objectId);
    if (!this.teams.has(id)) return false;
    this.write({ t: "assignment", id, kind: "teamsExtension", value: null });
    return true;
  }

  /** Every Entra assignment, in object-id order (stable across pages). */
  listEntra(): EntraAssignment[] {
    return [...this.entra.keys()].sort().map((id) => copy(this.entra.get(id))!);
  }

  getEntra(objectId: string): EntraAssignment | undefined {
    return copy(this.entra.get(entraKey(objectId)));
  }

  upsertEntra(assignment: EntraAssignment): { created: boolean; assignment: EntraAssignment } {
    const id = entraKey(assignment.objectId);
    const created = !this.entra.has(id);
    this.write({ t: "assignment", id, kind: "entra", value: copy(assignment) });
    return { created, assignment: copy(this.entra.get(id))! };
  }

  deleteEntra(objectId: string): boolean {
    const id = entraKey(objectId);
    if (!this.entra.has(id)) return false;
    this.write({ t: "assignment", id, kind: "entra", value: null });
    return true;
  }

  /**
   * The Teams Phone extensibility assignment that lets this principal exchange, if any: the one for its tenant and
   * object id whose clientIds are absent, empty, or include its app id.
   */
  teamsExtensionCovering(principal: AccessPrincipal): TeamsExtensionAssignment | undefined {
    const assignment = this.teams.get(teamsKey(principal.tenantId, principal.objectId));
    return assignment && allowsClient(assignment.clientIds, principal.appId, true) ? copy(assignment) : undefined;
  }

  /**
   * The Entra assignment that lets this principal exchange, if any: one of the token's tenant that lists its app id
   * and names the user itself (`user`), one of its groups (`group`) or its tenant (`tenant`).
   */
  entraCovering(principal: AccessPrincipal): EntraAssignment | undefined {
    const tenantId = lower(principal.tenantId);
    const candidates: Array<[string, EntraPrincipalType]> = [
      [principal.objectId, "user"],
      ...principal.groups.map((group): [string, EntraPrincipalType] => [group, "group"]),
      [principal.tenantId, "tenant"],
    ];
    for (const [objectId, principalType] of candidates) {
      const assignment = this.entra.get(entraKey(objectId));
      if (
        assignment &&
        assignment.principalType === principalType &&
        lower(assignment.tenantId) === tenantId &&
        allowsClient(assignment.clientIds, principal.appId, false)
      ) {
        return copy(assignment);
      }
    }
    return undefined;
  }

  /** Applies one journal record (on load, and for every write). */
  apply(journalRecord: JournalRecord): void {
    const record = journalRecord as AssignmentJournalRecord;
    const map: Map<string, TeamsExtensionAssignment | EntraAssignment> = record.kind === "teamsExtension" ? this.teams : this.entra;
    if (record.value === null) map.delete(record.id);
    else map.set(record.id, copy(record.value));
  }

  /** The records that rebuild the current state (for a journal compaction). */
  snapshot(): AssignmentJournalRecord[] {
    return [
      ...[...this.teams].map(([id, value]): AssignmentJournalRecord => ({ t: "assignment", id, kind: "teamsExtension", value: copy(value) })),
      ...[...this.entra].map(([id, value]): AssignmentJournalRecord => ({ t: "assignment", id, kind: "entra", value: copy(value) })),
    ];
  }
}

function allowsClient(clientIds: readonly string[] | undefined, appId: string, emptyAllowsAny: boolean): boolean {
  if (clientIds === undefined || clientIds.length === 0) return emptyAllowsAny;
  return clientIds.some((clientId) => lower(clientId) === lower(appId));
}

function copy<T extends TeamsExtensionAssignment | EntraAssignment | undefined>(value: T): T {
  if (value === undefined) return value;
  const result = { ...value };
  if (value.clientIds !== undefined) result.clientIds = [...value.clientIds];
  return result;
}

/** Checks a journal line of kind "assignment"; throws a message for the journal's "corrupt at line" error. */
export function checkAssignmentRecord(value: Record<string, unknown>): AssignmentJournalRecord {
  const bad = () => new Error("unexpected assignment record.");
  if (typeof value.id !== "string" || (value.kind !== "teamsExtension" && value.kind !== "entra")) throw bad();
  const assignment = value.value;
  if (assignment === null) return value as AssignmentJournalRecord;
  if (!isObject(assignment) || typeof assignment.objectId !== "string" || typeof assignment.tenantId !== "string") throw bad();
  if (typeof assignment.principalType !== "string") throw bad();
  const clientIds = assignment.clientIds;
  if (clientIds !== undefined && (!Array.isArray(clientIds) || clientIds.some((id) => typeof id !== "string"))) throw bad();
  if (value.kind === "entra" && clientIds === undefined) throw bad();
  return value as AssignmentJournalRecord;
}
