import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { OperationOptions } from "@azure/core-client";
import { readClientArguments } from "./credentials/clientArguments.js";
import { createApiVersionPolicy, type ApiVersionPolicy } from "./apiVersionPolicy.js";
import type {
  CommunicationIdentity,
  CommunicationIdentityAccessTokenResult,
} from "./generated/models.js";
import type { OperationDescriptor } from "./generated/operationDescriptor.js";
import {
  communicationIdentityCreateOperation,
  communicationIdentityDeleteOperation,
  communicationIdentityExchangeTeamsUserAccessTokenOperation,
  communicationIdentityGetOperation,
  communicationIdentityIssueAccessTokenOperation,
  communicationIdentityRevokeAccessTokensOperation,
} from "./generated/operations.js";
import type {
  CommunicationAccessToken,
  CommunicationIdentityClientOptions,
  CommunicationUserDetail,
  CommunicationUserIdentifier,
  CommunicationUserToken,
  CreateUserAndTokenOptions,
  CreateUserOptions,
  GetTokenForTeamsUserOptions,
  GetTokenOptions,
  TokenScope,
} from "./models.js";
import type { ClientSettings } from "./pipeline/clientRuntime.js";
import { loadClientRuntime } from "#platform/loadClientRuntime";
import { sendDirectCall } from "#platform/directCall";
import { answerDate, answerObject, answerString } from "./pipeline/readAnswer.js";
import type { OperationContext, ResultReader } from "./pipeline/sendOperation.js";

/**
 * Manages Azure Communication Services users and their access tokens.
 *
 * @example
 * ```ts
 * import { CommunicationIdentityClient } from "communication-identity";
 *
 * const client = new CommunicationIdentityClient(process.env.COMMUNICATION_CONNECTION_STRING!);
 * const { user, token, expiresOn } = await client.createUserAndToken(["chat", "voip"]);
 * ```
 *
 * Every method rejects (never throws) on failure: argument errors before any request, HTTP
 * and network failures as `RestError`, an answer the client cannot read as a `RestError` with code
 * `PARSE_ERROR`. With `requestOptions.shouldDeserialize: false` methods resolve what
 * `@azure/communication-identity` 1.3.1 resolves: the answer's JSON without mapping (dates stay strings).
 */
export class CommunicationIdentityClient {
  // Private (#) so neither util.inspect nor JSON.stringify can reach the credential inside the pipeline.
  // The pipeline is built when a call first needs it (plain calls go direct, see directCall.ts); until then only the settings exist.
  readonly #settings: ClientSettings;
  readonly #apiVersions: ApiVersionPolicy;
  #context: OperationContext | undefined;

  /**
   * Creates a client from a connection string (`endpoint=https://…;accesskey=…`), as shown in
   * the Azure portal under the resource's Keys.
   * @param connectionString - The resource's connection string.
   * @param options - Pipeline options and the api-version.
   */
  constructor(connectionString: string, options?: CommunicationIdentityClientOptions);
  /**
   * Creates a client that signs requests with the resource's access key.
   * @param endpoint - `https://<resource>.communication.azure.com`.
   * @param credential - The access key, e.g. `new AzureKeyCredential(key)`.
   * @param options - Pipeline options and the api-version.
   */
  constructor(endpoint: string, credential: KeyCredential, options?: CommunicationIdentityClientOptions);
  /**
   * Creates a client that authenticates with Entra ID (bearer tokens, https only).
   * @param endpoint - `https://<resource>.communication.azure.com`.
   * @param credential - A token credential, e.g. `new DefaultAzureCredential()` from `@azure/identity`.
   * @param options - Pipeline options and the api-version.
   */
  constructor(endpoint: string, credential: TokenCredential, options?: CommunicationIdentityClientOptions);
  constructor(
    connectionStringOrEndpoint: string,
    credentialOrOptions?: KeyCredential | TokenCredential | CommunicationIdentityClientOptions,
    maybeOptions?: CommunicationIdentityClientOptions,
  ) {
    const settings = readClientArguments(connectionStringOrEndpoint, credentialOrOptions, maybeOptions);
    const options = settings.options;
    // A copy, so options changed after construction do not reach the pipeline built later.
    const additionalPolicies = options.additionalPolicies && [...options.additionalPolicies];
    this.#settings = { ...settings, options: { ...options, additionalPolicies } };
    this.#apiVersions = createApiVersionPolicy(options.apiVersion);
  }

  /**
   * Creates a user, optionally tagged with your own `customId` (creating again with the same
   * customId returns the same user).
   *
   * @example
   * ```ts
   * const user = await client.createUser();
   * const sally = await client.createUser({ customId: "sally@contoso.com" });
   * ```
   * @param options - `customId` and operation options.
   */
  async createUser(options: CreateUserOptions = {}): Promise<CommunicationUserIdentifier> {
    checkOptions(options);
    const customId = checkCustomId(options.customId);
    const body = customId === undefined ? undefined : { customId };
    return this.#call("createUser", communicationIdentityCreateOperation, undefined, body, options, { map: toUser, legacy: toUser });
  }

  /**
   * Creates a user and an access token for it in one request.
   *
   * @example
   * ```ts
   * const { user, token, expiresOn } = await client.createUserAndToken(["chat"], { tokenExpiresInMinutes: 60 });
   * ```
   * @param scopes - The token's scopes, e.g. `["chat", "voip"]`.
   * @param options - `customId`, `tokenExpiresInMinutes` (60..1440) and operation options.
   */
  async createUserAndToken(scopes: TokenScope[], options: CreateUserAndTokenOptions = {}): Promise<CommunicationUserToken> {
    checkScopes(scopes);
    checkOptions(options);
    const customId = checkCustomId(options.customId);
    const body = { createTokenWithScopes: scopes, expiresInMinutes: checkMinutes(options.tokenExpiresInMinutes), customId };
    return this.#call("createUserAndToken", communicationIdentityCreateOperation, undefined, body, options, { map: toUserToken, legacy: toLegacyUserToken });
  }

  /**
   * Reads a user: its customId and when a token was last issued for it (absent when never).
   * Needs api-version `2025-03-02-preview`.
   *
   * @example
   * ```ts
   * const { customId, lastTokenIssuedAt } = await client.getUser(user);
   * ```
   * @param user - The user to read.
   * @param options - Operation options.
   */
  async getUser(user: CommunicationUserIdentifier, options: OperationOptions = {}): Promise<CommunicationUserDetail> {
    const id = checkUser(user);
    checkOptions(options);
    return this.#call("getUser", communicationIdentityGetOperation, { id }, undefined, options, toUserDetail);
  }

  /**
   * The same as {@link CommunicationIdentityClient.getUser} (the name used by 1.4.0-beta.1 and .NET).
   * @param user - The user to read.
   * @param options - Operation options.
   */
  getUserDetail(user: CommunicationUserIdentifier, options: OperationOptions = {}): Promise<CommunicationUserDetail> {
    return this.getUser(user, options);
  }

  /**
   * Issues an access token for an existing user.
   *
   * @example
   * ```ts
   * const { token, expiresOn } = await client.getToken(user, ["voip"], { tokenExpiresInMinutes: 120 });
   * ```
   * @param user - The user the token is for.
   * @param scopes - The token's scopes, e.g. `["chat", "voip"]`.
   * @param options - `tokenExpiresInMinutes` (60..1440) and operation options.
   */
  async getToken(user: CommunicationUserIdentifier, scopes: TokenScope[], options: GetTokenOptions = {}): Promise<CommunicationAccessToken> {
    const id = checkUser(user);
    checkScopes(scopes);
    checkOptions(options);
    const body = { scopes, expiresInMinutes: checkMinutes(options.tokenExpiresInMinutes) };
    return this.#call("issueToken", communicationIdentityIssueAccessTokenOperation, { id }, body, options, toAccessToken);
  }

  /**
   * Revokes every access token issued for the user so far.
   *
   * @example
   * ```ts
   * await client.revokeTokens(user);
   * ```
   * @param user - The user whose tokens are revoked.
   * @param options - Operation options.
   */
  async revokeTokens(user: CommunicationUserIdentifier, options: OperationOptions = {}): Promise<void> {
    const id = checkUser(user);
    checkOptions(options);
    await this.#call("revokeTokens", communicationIdentityRevokeAccessTokensOperation, { id }, undefined, options, { map: toVoid, legacy: toVoid });
  }

  /**
   * Deletes the user, revokes its tokens and deletes its data.
   *
   * @example
   * ```ts
   * await client.deleteUser(user);
   * ```
   * @param user - The user to delete.
   * @param options - Operation options.
   */
  async deleteUser(user: CommunicationUserIdentifier, options: OperationOptions = {}): Promise<void> {
    const id = checkUser(user);
    checkOptions(options);
    await this.#call("deleteUser", communicationIdentityDeleteOperation, { id }, undefined, options, { map: toVoid, legacy: toVoid });
  }

  /**
   * Exchanges an Entra ID access token of a Teams user for a Communication Services access
   * token with the same expiry.
   *
   * @example
   * ```ts
   * const { token } = await client.getTokenForTeamsUser({ teamsUserAadToken, clientId, userObjectId });
   * ```
   * @param options - The Teams user's Entra token, the app's client id, the user's object id, and operation options.
   */
  async getTokenForTeamsUser(options: GetTokenForTeamsUserOptions): Promise<CommunicationAccessToken> {
    checkOptions(options);
    const { teamsUserAadToken: token, clientId: appId, userObjectId: userId } = options;
    checkNonEmptyString(token, "options.teamsUserAadToken");
    checkNonEmptyString(appId, "options.clientId");
    checkNonEmptyString(userId, "options.userObjectId");
    const body = { token, appId, userId };
    return this.#call("getTokenForTeamsUser", communicationIdentityExchangeTeamsUserAccessTokenOperation, undefined, body, options, toAccessToken);
  }

  /**
   * Runs one operation in the method's tracing span and maps its answer to the public result: `read`
   * is the mapping, or also the result for `requestOptions.shouldDeserialize: false` (default: the flat response, as 1.3.1).
   */
  async #call<TPathParams, TBody, TResult, TPublic>(
    method: string,
    operation: OperationDescriptor<TPathParams, TBody, TResult>,
    pathParams: TPathParams,
    body: TBody | undefined,
    options: OperationOptions,
    read: ((result: TResult) => TPublic) | ResultReader<TResult, TPublic>,
  ): Promise<TPublic> {
    // Before any request: a pinned api-version that lacks what the call sends rejects here.
    const apiVersion = this.#apiVersions.choose(operation, body as object | undefined, PUBLIC_NAMES[method] ?? method, OPTION_NAMES);
    const reader = typeof read === "function" ? { map: read } : read;
    // Node (ESM): a plain call goes straight to the wire; the pipeline loads only when a call needs it.
    const direct = sendDirectCall(this.#settings, { method, spanPrefix: "CommunicationIdentity", operation, apiVersion, params: pathParams, body, options, reader }, loadClientRuntime);
    if (direct) return direct;
    const runtime = await loadClientRuntime();
    this.#context ??= runtime.createOperationContext(this.#settings);
    return runtime.runOperation(this.#context, method, operation, apiVersion, pathParams, body, options, reader);
  }
}

// For api-version messages: the public method behind a span name, and the option behind a body member.
const PUBLIC_NAMES: Readonly<Record<string, string>> = { issueToken: "getToken" };
const OPTION_NAMES: Readonly<Record<string, string>> = { expiresInMinutes: "tokenExpiresInMinutes", createTokenWithScopes: "scopes" };

function checkUser(user: CommunicationUserIdentifier): string {
  if (typeof user !== "object" || user === null) throw new TypeError("user must be a { communicationUserId } object");
  return checkNonEmptyString(user.communicationUserId, "user.communicationUserId");
}

// Scope names and the expiry range are the service's to judge; only JSON-unsafe values stop here.
function checkScopes(scopes: TokenScope[]): void {
  if (!Array.isArray(scopes)) throw new TypeError("scopes must be an array");
  scopes.forEach((scope, index) => checkString(scope, `scopes[${index}]`));
}

function checkMinutes(minutes: unknown): number | undefined {
  if (minutes !== undefined && !Number.isFinite(minutes)) throw new TypeError("options.tokenExpiresInMinutes must be a finite number");
  return minutes as number | undefined;
}

// Methods default their options to {}, so undefined never gets here; getTokenForTeamsUser's are required.
function checkOptions(options: unknown): void {
  if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
}

function checkCustomId(customId: unknown): string | undefined {
  return customId === undefined ? undefined : checkString(customId, "options.customId");
}

function checkString(value: unknown, name: string): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string`);
  return value;
}

function checkNonEmptyString(value: unknown, name: string): string {
  if (checkString(value, name).trim() === "") throw new RangeError(`${name} must not be empty`);
  return value as string;
}

// Result mapping: a field the answer lacks or has of the wrong type throws (naming its JSON path), and the
// request executor rejects with a PARSE_ERROR RestError instead. The generated readers have already checked
// the types of a deserialized answer; the raw answers of `shouldDeserialize: false` are checked here in full.

/** The user, from the deserialized answer or the raw one (1.3.1's createUser result with `shouldDeserialize: false`). */
function toUser(result: { readonly identity?: unknown }): CommunicationUserIdentifier {
  return { communicationUserId: answerString(answerObject(result.identity, "identity").id, "identity.id") };
}

function toUserToken(result: CommunicationIdentityAccessTokenResult): CommunicationUserToken {
  // The service always returns a token when createTokenWithScopes is sent.
  return { ...toAccessToken(answerObject(result.accessToken, "accessToken"), "accessToken."), user: toUser(result) };
}

/** 1.3.1's createUserAndToken result with `shouldDeserialize: false`: the raw token fields (date a string) and the user. */
function toLegacyUserToken(flat: Record<string, unknown>): unknown {
  return { ...answerObject(flat.accessToken, "accessToken"), user: toUser(flat) };
}

function toUserDetail(identity: CommunicationIdentity): CommunicationUserDetail {
  const detail: CommunicationUserDetail = { user: { communicationUserId: answerString(identity.id, "id") } };
  // The generated reader has already dropped a null member and refused one of another type.
  if (identity.customId !== undefined) detail.customId = identity.customId;
  if (identity.lastTokenIssuedAt !== undefined) detail.lastTokenIssuedAt = answerDate(identity.lastTokenIssuedAt, "lastTokenIssuedAt");
  return detail;
}

/** `path` prefixes the members' names in messages (`accessToken.` when the token is nested). */
function toAccessToken(accessToken: { readonly token?: unknown; readonly expiresOn?: unknown }, path = ""): CommunicationAccessToken {
  return { token: answerString(accessToken.token, path + "token"), expiresOn: answerDate(accessToken.expiresOn, path + "expiresOn") };
}

function toVoid(): void {}
