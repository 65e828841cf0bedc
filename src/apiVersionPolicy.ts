import { defaultApiVersionCandidates, knownApiVersions } from "./generated/apiVersions.js";
import type { OperationDescriptor } from "./generated/operationDescriptor.js";

/** The part of a generated operation the policy reads: which versions have it and what each accepts. */
export type VersionedOperation = Pick<OperationDescriptor<unknown, unknown, unknown>, "name" | "apiVersions" | "versions">;

/**
 * Chooses the api-version of each call (CONTRACT §3):
 * - no `apiVersion` option: the newest stable version that has the operation and every body property
 *   and parameter the call sends; only what no stable version has goes out with the newest preview
 *   that has it (the order is `defaultPreference` in scripts/generator/specs.json);
 * - a known `apiVersion`: that version, and a call needing what it lacks throws an `Error` naming the
 *   versions that have it (the client turns that into a rejection before any request);
 * - an unknown `apiVersion`: sent as is, with the newest shapes (the service decides).
 */
export interface ApiVersionPolicy {
  /**
   * The api-version to send `operation` with.
   * @param operation - The generated operation.
   * @param sent - The body (or parameters) of the call: its members that are not `undefined` count as sent.
   * @param call - The public method, for the error message (`getUser`).
   * @param labels - How members are called in the public API, for the message (`{ expiresInMinutes: "tokenExpiresInMinutes" }`).
   */
  choose(operation: VersionedOperation, sent: object | undefined, call: string, labels?: Readonly<Record<string, string>>): string;
}

/** Per operation, computed once: a bit per member any version accepts, and per version the members it has. */
interface OperationTable {
  readonly members: readonly string[];
  /** Version → bit mask of the members it accepts; absent when the version lacks the operation. */
  readonly masks: ReadonlyMap<string, number>;
  /** Default choice per mask of sent members, filled on first use (null: none has them all). */
  readonly defaults: Map<number, string | null>;
}

const tables = new WeakMap<VersionedOperation, OperationTable>();

function tableOf(operation: VersionedOperation): OperationTable {
  let table = tables.get(operation);
  if (table) return table;
  const members: string[] = [];
  const masks = new Map<string, number>();
  for (const version of operation.apiVersions) {
    const facts = operation.versions[version];
    let mask = 0;
    for (const name of [...(facts.bodyProperties ?? []), ...(facts.params ?? [])]) {
      if (!members.includes(name)) members.push(name);
      mask |= 1 << members.indexOf(name);
    }
    masks.set(version, mask);
  }
  table = { members, masks, defaults: new Map() };
  tables.set(operation, table);
  return table;
}

function sentMask(table: OperationTable, sent: object | undefined): number {
  const values = sent as Record<string, unknown> | undefined;
  let mask = 0;
  table.members.forEach((name, bit) => {
    if (values?.[name] !== undefined) mask |= 1 << bit;
  });
  return mask;
}

/** Whether `version` has the operation and every member in `mask`. */
function hasAll(table: OperationTable, version: string, mask: number): boolean {
  const has = table.masks.get(version);
  return has !== undefined && (has & mask) === mask;
}

function describeNeed(operation: VersionedOperation, table: OperationTable, mask: number, call: string, labels: Readonly<Record<string, string>> | undefined, lacking?: number): string {
  const names = table.members.filter((_name, bit) => ((lacking ?? mask) & (1 << bit)) !== 0).map((name) => labels?.[name] ?? name);
  const what = names.length > 0 ? `${call} with ${names.join(" and ")}` : call;
  // The known versions that have the operation and every sent member, oldest first.
  const versions = knownApiVersions.filter((version) => hasAll(table, version, mask));
  return versions.length > 0 ? `${what} needs api-version ${versions.join(", ")}` : `${what}: no api-version has all of it (${operation.name})`;
}

/** Builds the policy for one client; `apiVersion` is the client's option. */
export function createApiVersionPolicy(apiVersion: string | undefined): ApiVersionPolicy {
  if (apiVersion === undefined) {
    return {
      choose(operation, sent, call, labels) {
        const table = tableOf(operation);
        const mask = sentMask(table, sent);
        let version = table.defaults.get(mask);
        if (version === undefined) {
          version = defaultApiVersionCandidates.find((candidate) => hasAll(table, candidate, mask)) ?? null;
          table.defaults.set(mask, version);
        }
        if (version === null) throw new Error(describeNeed(operation, table, mask, call, labels));
        return version;
      },
    };
  }
  if (!(knownApiVersions as readonly string[]).includes(apiVersion)) {
    return { choose: () => apiVersion };
  }
  return {
    choose(operation, sent, call, labels) {
      const table = tableOf(operation);
      const mask = sentMask(table, sent);
      if (hasAll(table, apiVersion, mask)) return apiVersion;
      const has = table.masks.get(apiVersion);
      const lacking = has === undefined ? 0 : mask & ~has;
      throw new Error(`${describeNeed(operation, table, mask, call, labels, lacking)}; this client uses ${apiVersion} (change or remove the apiVersion option)`);
    },
  };
}
