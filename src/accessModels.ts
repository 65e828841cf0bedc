import type { OperationOptions } from "@azure/core-client";
import type { CommunicationIdentityClientOptions } from "./models.js";

/** Options for the {@link CommunicationAccessClient} constructor: the same as the identity client's. */
export type CommunicationAccessClientOptions = CommunicationIdentityClientOptions;

/** Who a Teams Phone extensibility assignment is for. */
export type TeamsExtensionPrincipalType = "resourceAccount" | "user";

/** What {@link CommunicationAccessClient.upsertTeamsExtensionAssignment} sets. */
export interface TeamsExtensionAssignmentRequest {
  /** A Teams resource account or a user. */
  principalType: TeamsExtensionPrincipalType;
  /** The Entra ID applications (client ids) allowed to exchange tokens; absent: the service's default. */
  clientIds?: string[];
}

/** A Teams Phone extensibility access assignment. */
export interface TeamsExtensionAssignment {
  /** The Entra ID object id of the resource account or user. */
  objectId: string;
  /** The Entra ID tenant. */
  tenantId: string;
  /** Whether the assignment is for a Teams resource account or a user. */
  principalType: TeamsExtensionPrincipalType;
  /** The client ids allowed to exchange tokens, when the assignment lists them. */
  clientIds?: string[];
}

/** The result of an upsert: the assignment as stored, and whether the call created it (201) or replaced one (200). */
export interface UpsertTeamsExtensionAssignmentResult {
  /** The assignment as the service stored it. */
  assignment: TeamsExtensionAssignment;
  /** `true` when the service answered 201 (a new assignment), `false` for 200 (an existing one replaced). */
  created: boolean;
}

/** Who an Entra ID access assignment is for: one user, the members of a group, or a whole tenant. */
export type EntraPrincipalType = "user" | "group" | "tenant";

/** What {@link CommunicationAccessClient.upsertEntraAssignment} and {@link CommunicationAccessClient.updateEntraAssignments} set. */
export interface EntraAssignmentRequest {
  /** The Entra ID tenant of the principal. */
  tenantId: string;
  /** Whether `objectId` names a user, a group (its members) or the tenant itself. */
  principalType: EntraPrincipalType;
  /** The Entra ID applications (client ids) allowed to exchange tokens. */
  clientIds: string[];
}

/** An Entra ID access assignment. */
export interface EntraAssignment {
  /** The object id of the user, group or tenant. */
  objectId: string;
  /** The Entra ID tenant of the principal. */
  tenantId: string;
  /** Whether `objectId` names a user, a group (its members) or the tenant itself. */
  principalType: EntraPrincipalType;
  /** The Entra ID applications (client ids) allowed to exchange tokens. */
  clientIds: string[];
}

/** The result of an upsert: the assignment as stored, and whether the call created it (201) or replaced one (200). */
export interface UpsertEntraAssignmentResult {
  /** The assignment as the service stored it. */
  assignment: EntraAssignment;
  /** `true` when the service answered 201 (a new assignment), `false` for 200 (an existing one replaced). */
  created: boolean;
}

/**
 * A bulk update (JSON merge patch): per object id, the assignment to create or replace, or `null` to remove it.
 * A partial assignment is merged into the existing one by the service.
 */
export type EntraAssignmentUpdates = Record<string, EntraAssignmentRequest | Partial<EntraAssignmentRequest> | null>;

/** Options for {@link CommunicationAccessClient.listEntraAssignments}. */
export type ListEntraAssignmentsOptions = OperationOptions;

/**
 * Paging settings for `byPage()`, the shape of `@azure/core-paging`'s `PageSettings`.
 * `continuationToken` is a page's `continuationToken` (the service's nextLink).
 */
export interface AccessPageSettings {
  /** Where to start: a page's `continuationToken` from an earlier `byPage()`; absent: the first page. */
  continuationToken?: string;
  /** Not sent: the service chooses its page size. */
  maxPageSize?: number;
}

/** One page of Entra assignments: the items, and the token of the next page when there is one. */
export type EntraAssignmentPage = EntraAssignment[] & {
  /** The token of the next page (pass it to `byPage({ continuationToken })`); absent on the last page. */
  continuationToken?: string;
};

/**
 * An async iterator of items that can also be read page by page: structurally `@azure/core-paging`'s
 * `PagedAsyncIterableIterator` (this package does not depend on core-paging; the shapes are the same).
 */
export interface PagedAsyncIterableIterator<TElement, TPage = TElement[], TPageSettings extends object = AccessPageSettings> {
  /** The next item, fetching the next page when the current one is used up. */
  next(): Promise<IteratorResult<TElement>>;
  /** This iterator, so that `for await (const item of iterator)` works. */
  [Symbol.asyncIterator](): PagedAsyncIterableIterator<TElement, TPage, TPageSettings>;
  /** The items page by page, starting at `settings.continuationToken` when given. */
  byPage(settings?: TPageSettings): AsyncIterableIterator<TPage>;
}
