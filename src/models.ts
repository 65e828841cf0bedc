import type { CommonClientOptions, OperationOptions } from "@azure/core-client";
import type { KnownApiVersion } from "./generated/apiVersions.js";

/**
 * An Azure Communication Services user, e.g. `{ communicationUserId: "8:acs:…" }`.
 * Structurally identical to `@azure/communication-common`'s type, so values flow between them.
 */
export interface CommunicationUserIdentifier {
  /** The id of the user, as returned by `createUser`. */
  communicationUserId: string;
}

/** The scopes an access token can carry. */
export type TokenScope = "chat" | "voip" | "chat.join" | "chat.join.limited" | "voip.join";

// Generated from the spec list (scripts/generator/specs.json): every api-version the package knows.
export { KnownApiVersion } from "./generated/apiVersions.js";

/** Options for the client constructor. */
export interface CommunicationIdentityClientOptions extends CommonClientOptions {
  /**
   * The service api-version every call uses. Unset (recommended): each call goes out with the newest
   * stable version that has everything it sends, and only what no stable version has (customId,
   * `getUser`) with the newest preview that has it. Set to a {@link KnownApiVersion}: every call uses
   * it, and a call needing what that version lacks rejects before any request, naming the versions
   * that have it (`"2023-10-01"` sends exactly what `@azure/communication-identity` 1.3.1 sends).
   * Any other string is sent as is, with the newest request shapes.
   */
  apiVersion?: KnownApiVersion | (string & {});
}

/** Options for `createUser`. */
export interface CreateUserOptions extends OperationOptions {
  /**
   * Your own id for the user (1..256 characters). Creating again with the same customId returns
   * the same user. Needs api-version `2025-03-02-preview`.
   */
  customId?: string;
}

/** Options for `createUserAndToken`. */
export interface CreateUserAndTokenOptions extends OperationOptions {
  /** Your own id for the user; see {@link CreateUserOptions.customId}. */
  customId?: string;
  /** Token lifetime in minutes, 60..1440 (checked by the service). The service's default is 1440. */
  tokenExpiresInMinutes?: number;
}

/** Options for `getToken`. */
export interface GetTokenOptions extends OperationOptions {
  /** Token lifetime in minutes, 60..1440 (checked by the service). The service's default is 1440. */
  tokenExpiresInMinutes?: number;
}

/** Options for `getTokenForTeamsUser`. */
export interface GetTokenForTeamsUserOptions extends OperationOptions {
  /** An Entra ID access token of a Teams user. */
  teamsUserAadToken: string;
  /** The client id of the Entra ID application; must match the token's `appid` claim. */
  clientId: string;
  /** The object id of the Teams user; must match the token's `oid` claim. */
  userObjectId: string;
}

/** An access token and when it expires. */
export interface CommunicationAccessToken {
  /** The token (a JWT). */
  token: string;
  /** When the token expires (millisecond precision). */
  expiresOn: Date;
}

/** A new user together with a token for it. */
export interface CommunicationUserToken extends CommunicationAccessToken {
  /** The new user. */
  user: CommunicationUserIdentifier;
}

/** What the service knows about a user (`getUser`). */
export interface CommunicationUserDetail {
  /** The user. */
  user: CommunicationUserIdentifier;
  /** The customId the user was created with, when there is one. */
  customId?: string;
  /** When a token was last issued for the user, when one was. */
  lastTokenIssuedAt?: Date;
}
