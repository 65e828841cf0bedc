import type { CommonClientOptions, OperationOptions } from "@azure/core-client";

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

/** The api-versions this package was built against; the first is the default. */
export const KnownApiVersion = {
  /** Adds customId and `getUser` (the default). */
  V2025_03_02_Preview: "2025-03-02-preview",
  /** The stable version used by `@azure/communication-identity` 1.3.x. */
  V2023_10_01: "2023-10-01",
} as const;

/** A service api-version: one of {@link KnownApiVersion} or any other string the service accepts. */
export type KnownApiVersion = (typeof KnownApiVersion)[keyof typeof KnownApiVersion];

/** Options for the client constructor. */
export interface CommunicationIdentityClientOptions extends CommonClientOptions {
  /**
   * The service api-version to call. Defaults to `2025-03-02-preview`, the only version with
   * `customId` and `getUser`; `2023-10-01` is what `@azure/communication-identity` 1.3.x calls.
   */
  apiVersion?: "2025-03-02-preview" | "2023-10-01" | (string & {});
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
