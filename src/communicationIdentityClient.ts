import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { OperationOptions } from "@azure/core-client";
import { isKeyCredential, isTokenCredential } from "./credentials/credentialKinds.js";
import { parseConnectionString } from "./credentials/parseConnectionString.js";
import { validateEndpoint } from "./credentials/validateEndpoint.js";
import { knownApiVersions, latestApiVersion, propertyApiVersions } from "./generated/apiVersions.js";
import type {
  CommunicationIdentity,
  CommunicationIdentityAccessToken,
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
import { loadClientRuntime } from "./pipeline/loadClientRuntime.js";
import type { OperationContext } from "./pipeline/sendOperation.js";

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
 * and network failures as `RestError`. With `requestOptions.shouldDeserialize: false` the answer
 * is not parsed and methods resolve to `undefined`; read the raw response in `onResponse`.
 */
export class CommunicationIdentityClient {
  // Private (#) so neither util.inspect nor JSON.stringify can reach the credential inside the pipeline.
  // The pipeline is built on the first call (see loadClientRuntime); until then only the settings exist.
  readonly #settings: ClientSettings;
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
    let endpoint: string;
    let credential: KeyCredential | TokenCredential;
    let options: CommunicationIdentityClientOptions;
    if (isTokenCredential(credentialOrOptions) || isKeyCredential(credentialOrOptions)) {
      endpoint = validateEndpoint(connectionStringOrEndpoint);
      credential = credentialOrOptions;
      options = maybeOptions ?? {};
    } else {
      ({ endpoint, credential } = parseConnectionString(connectionStringOrEndpoint));
      options = (credentialOrOptions as CommunicationIdentityClientOptions | undefined) ?? {};
    }
    // A copy, so options changed after construction do not reach the pipeline built later.
    const additionalPolicies = options.additionalPolicies && [...options.additionalPolicies];
    this.#settings = { endpoint, apiVersion: options.apiVersion ?? latestApiVersion, credential, options: { ...options, additionalPolicies } };
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
    const customId = this.#checkCustomId(options.customId);
    const body = customId === undefined ? undefined : { customId };
    return this.#call("createUser", communicationIdentityCreateOperation, undefined, body, options, toUser);
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
    const customId = this.#checkCustomId(options.customId);
    const body = { createTokenWithScopes: scopes, expiresInMinutes: checkMinutes(options.tokenExpiresInMinutes), customId };
    return this.#call("createUserAndToken", communicationIdentityCreateOperation, undefined, body, options, toUserToken);
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
    this.#requireVersion(communicationIdentityGetOperation.apiVersions, "getUser");
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
    await this.#call("revokeTokens", communicationIdentityRevokeAccessTokensOperation, { id }, undefined, options, toVoid);
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
    await this.#call("deleteUser", communicationIdentityDeleteOperation, { id }, undefined, options, toVoid);
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
    if (typeof options !== "object" || options === null) {
      throw new TypeError("options must be an object");
    }
    const { teamsUserAadToken: token, clientId: appId, userObjectId: userId } = options;
    checkString(token, "options.teamsUserAadToken");
    checkString(appId, "options.clientId");
    checkString(userId, "options.userObjectId");
    const body = { token, appId, userId };
    return this.#call("getTokenForTeamsUser", communicationIdentityExchangeTeamsUserAccessTokenOperation, undefined, body, options, toAccessToken);
  }

  /** Runs one operation in the method's tracing span and maps its answer to the public result. */
  async #call<TPathParams, TBody, TResult, TPublic>(
    method: string,
    operation: OperationDescriptor<TPathParams, TBody, TResult>,
    pathParams: TPathParams,
    body: TBody | undefined,
    options: OperationOptions,
    map: (result: TResult) => TPublic,
  ): Promise<TPublic> {
    const runtime = await loadClientRuntime();
    this.#context ??= runtime.createOperationContext(this.#settings);
    return runtime.runOperation(this.#context, method, operation, pathParams, body, options, map);
  }

  #checkCustomId(customId: unknown): string | undefined {
    if (customId === undefined) return undefined;
    if (typeof customId !== "string") throw new TypeError("options.customId must be a string");
    this.#requireVersion(propertyApiVersions["CommunicationIdentityCreateRequest.customId"], "customId");
    return customId;
  }

  /** Rejects before any request when a known api-version lacks what is asked; unknown versions pass. */
  #requireVersion(versions: readonly string[] | undefined, what: string): void {
    const current = this.#settings.apiVersion;
    if (versions && (knownApiVersions as readonly string[]).includes(current) && !versions.includes(current)) {
      throw new Error(`${what} needs api-version ${versions.join(" or ")}; this client uses ${current} (set the apiVersion option)`);
    }
  }
}

function checkUser(user: CommunicationUserIdentifier): string {
  if (typeof user !== "object" || user === null) throw new TypeError("user must be a { communicationUserId } object");
  return checkString(user.communicationUserId, "user.communicationUserId");
}

// Scope names and the expiry range are the service's to judge; only JSON-unsafe values stop here.
function checkScopes(scopes: TokenScope[]): void {
  if (!Array.isArray(scopes)) throw new TypeError("scopes must be an array");
  scopes.forEach((scope, index) => {
    if (typeof scope !== "string") throw new TypeError(`scopes[${index}] must be a string`);
  });
}

function checkMinutes(minutes: unknown): number | undefined {
  if (minutes !== undefined && !Number.isFinite(minutes)) throw new TypeError("options.tokenExpiresInMinutes must be a finite number");
  return minutes as number | undefined;
}

function checkOptions(options: unknown): void {
  if (options !== undefined && (typeof options !== "object" || options === null)) throw new TypeError("options must be an object");
}

function checkString(value: unknown, name: string): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string`);
  if (value.trim() === "") throw new RangeError(`${name} must not be empty`);
  return value;
}

function toUser(result: CommunicationIdentityAccessTokenResult): CommunicationUserIdentifier {
  return { communicationUserId: result.identity.id };
}

function toUserToken(result: CommunicationIdentityAccessTokenResult): CommunicationUserToken {
  // The service always returns a token when createTokenWithScopes is sent.
  const accessToken = result.accessToken!;
  return { token: accessToken.token, expiresOn: parseServiceDate(accessToken.expiresOn), user: toUser(result) };
}

function toUserDetail(identity: CommunicationIdentity): CommunicationUserDetail {
  const detail: CommunicationUserDetail = { user: { communicationUserId: identity.id } };
  if (identity.customId !== undefined) detail.customId = identity.customId;
  if (identity.lastTokenIssuedAt !== undefined) detail.lastTokenIssuedAt = parseServiceDate(identity.lastTokenIssuedAt);
  return detail;
}

function toAccessToken(accessToken: CommunicationIdentityAccessToken): CommunicationAccessToken {
  return { token: accessToken.token, expiresOn: parseServiceDate(accessToken.expiresOn) };
}

function toVoid(): void {}

/**
 * Parses the service's timestamps (`2025-04-18T14:46:09.2469181+00:00`, 7 fractional digits)
 * exactly to the millisecond (truncated) in every engine: the fraction is cut to the 3 digits
 * of ECMAScript's date-time format, which every engine must parse.
 */
function parseServiceDate(value: string): Date {
  return new Date(value.replace(/(T\d\d:\d\d:\d\d)(?:\.(\d*))?/, (_match, time: string, fraction = "") => `${time}.${(fraction + "000").slice(0, 3)}`));
}
