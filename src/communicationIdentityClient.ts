import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { OperationOptions } from "@azure/core-client";
import { createAuthPolicy } from "./credentials/createAuthPolicy.js";
import { isKeyCredential, isTokenCredential } from "./credentials/credentialKinds.js";
import { parseConnectionString } from "./credentials/parseConnectionString.js";
import { validateEndpoint } from "./credentials/validateEndpoint.js";
import { knownApiVersions, latestApiVersion, propertyApiVersions } from "./generated/apiVersions.js";
import type { CommunicationIdentityAccessToken } from "./generated/models.js";
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
import { createIdentityPipeline } from "./pipeline/createIdentityPipeline.js";
import { sendOperation, type OperationContext } from "./pipeline/sendOperation.js";
import { tracingClient } from "./tracing.js";
import { createHttpClient } from "./transport/createHttpClient.js";

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
 */
export class CommunicationIdentityClient {
  // Private (#) so neither util.inspect nor JSON.stringify can reach the credential inside the pipeline.
  readonly #context: OperationContext;
  readonly #apiVersion: string;

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
    this.#apiVersion = options.apiVersion ?? latestApiVersion;
    this.#context = {
      endpoint,
      query: `?api-version=${encodeURIComponent(this.#apiVersion)}`,
      pipeline: createIdentityPipeline(options, createAuthPolicy(credential)),
      httpClient: options.httpClient ?? createHttpClient(),
      allowInsecureConnection: options.allowInsecureConnection ?? false,
    };
  }

  /**
   * Creates a user, optionally tagged with your own `customId` (creating again with the same
   * customId returns the same user).
   *
   * With `requestOptions.shouldDeserialize: false` the answer is not parsed and every method
   * resolves to `undefined`; read the raw response in `onResponse` instead.
   *
   * @example
   * ```ts
   * const user = await client.createUser();
   * const sally = await client.createUser({ customId: "sally@contoso.com" });
   * ```
   * @param options - `customId` and operation options.
   */
  async createUser(options: CreateUserOptions = {}): Promise<CommunicationUserIdentifier> {
    checkOptions(options, "options");
    const customId = options.customId;
    if (customId !== undefined) this.#checkProperty("CommunicationIdentityCreateRequest.customId", "customId");
    return tracingClient.withSpan("CommunicationIdentity-createUser", options, async (updatedOptions) => {
      const body = customId === undefined ? undefined : { customId };
      const result = await this.#send(communicationIdentityCreateOperation, undefined, body, updatedOptions);
      return result && { communicationUserId: result.identity.id };
    }) as Promise<CommunicationUserIdentifier>;
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
    checkOptions(options, "options");
    const { customId, tokenExpiresInMinutes } = options;
    if (customId !== undefined) this.#checkProperty("CommunicationIdentityCreateRequest.customId", "customId");
    return tracingClient.withSpan("CommunicationIdentity-createUserAndToken", options, async (updatedOptions) => {
      const body = { createTokenWithScopes: scopes, expiresInMinutes: tokenExpiresInMinutes, customId };
      const result = await this.#send(communicationIdentityCreateOperation, undefined, body, updatedOptions);
      if (!result) return undefined;
      if (!result.accessToken) throw new TypeError("The service created the user but returned no access token.");
      const accessToken = toAccessToken(result.accessToken);
      return { token: accessToken.token, expiresOn: accessToken.expiresOn, user: { communicationUserId: result.identity.id } };
    }) as Promise<CommunicationUserToken>;
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
    checkOptions(options, "options");
    this.#checkOperation(communicationIdentityGetOperation, "getUser");
    return tracingClient.withSpan("CommunicationIdentity-getUser", options, async (updatedOptions) => {
      const identity = await this.#send(communicationIdentityGetOperation, { id }, undefined, updatedOptions);
      if (!identity) return undefined;
      const detail: CommunicationUserDetail = { user: { communicationUserId: identity.id } };
      if (identity.customId !== undefined) detail.customId = identity.customId;
      if (identity.lastTokenIssuedAt !== undefined) detail.lastTokenIssuedAt = parseServiceDate(identity.lastTokenIssuedAt);
      return detail;
    }) as Promise<CommunicationUserDetail>;
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
    checkOptions(options, "options");
    const expiresInMinutes = options.tokenExpiresInMinutes;
    return tracingClient.withSpan("CommunicationIdentity-issueToken", options, async (updatedOptions) => {
      const body = { scopes, expiresInMinutes };
      const result = await this.#send(communicationIdentityIssueAccessTokenOperation, { id }, body, updatedOptions);
      return result && toAccessToken(result);
    }) as Promise<CommunicationAccessToken>;
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
    checkOptions(options, "options");
    await tracingClient.withSpan("CommunicationIdentity-revokeTokens", options, async (updatedOptions) => {
      await this.#send(communicationIdentityRevokeAccessTokensOperation, { id }, undefined, updatedOptions);
    });
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
    checkOptions(options, "options");
    await tracingClient.withSpan("CommunicationIdentity-deleteUser", options, async (updatedOptions) => {
      await this.#send(communicationIdentityDeleteOperation, { id }, undefined, updatedOptions);
    });
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
    checkOptions(options, "options");
    if (options === undefined) throw new TypeError("options is required: { teamsUserAadToken, clientId, userObjectId }");
    checkRequiredString(options.teamsUserAadToken, "options.teamsUserAadToken");
    checkRequiredString(options.clientId, "options.clientId");
    checkRequiredString(options.userObjectId, "options.userObjectId");
    return tracingClient.withSpan("CommunicationIdentity-getTokenForTeamsUser", options, async (updatedOptions) => {
      const body = { token: options.teamsUserAadToken, appId: options.clientId, userId: options.userObjectId };
      const result = await this.#send(communicationIdentityExchangeTeamsUserAccessTokenOperation, undefined, body, updatedOptions);
      return result && toAccessToken(result);
    }) as Promise<CommunicationAccessToken>;
  }

  #send<TPathParams, TBody, TResult>(
    operation: OperationDescriptor<TPathParams, TBody, TResult>,
    pathParams: TPathParams,
    body: TBody | undefined,
    options: OperationOptions,
  ): Promise<TResult | undefined> {
    return sendOperation(this.#context, operation, pathParams, body, options);
  }

  /** Rejects early when a known api-version lacks the operation; unknown versions are let through. */
  #checkOperation(operation: { readonly apiVersions: readonly string[] }, method: string): void {
    if (isKnownApiVersion(this.#apiVersion) && !operation.apiVersions.includes(this.#apiVersion)) {
      throw new Error(
        `${method} needs api-version ${operation.apiVersions.join(" or ")}, but this client uses ${this.#apiVersion}; ` +
          `create the client with { apiVersion: "${operation.apiVersions[operation.apiVersions.length - 1]}" }.`,
      );
    }
  }

  #checkProperty(property: string, argument: string): void {
    const versions = propertyApiVersions[property];
    if (versions && isKnownApiVersion(this.#apiVersion) && !versions.includes(this.#apiVersion)) {
      throw new Error(
        `${argument} needs api-version ${versions.join(" or ")}, but this client uses ${this.#apiVersion}; ` +
          `create the client with { apiVersion: "${versions[versions.length - 1]}" }.`,
      );
    }
  }
}

function isKnownApiVersion(version: string): version is (typeof knownApiVersions)[number] {
  return (knownApiVersions as readonly string[]).includes(version);
}

function checkUser(user: CommunicationUserIdentifier): string {
  if (typeof user !== "object" || user === null) {
    throw new TypeError("user is required: pass { communicationUserId } as returned by createUser");
  }
  const id: unknown = user.communicationUserId;
  if (typeof id !== "string") throw new TypeError("user.communicationUserId must be a string");
  if (id.trim() === "") throw new RangeError("user.communicationUserId must not be empty");
  return id;
}

function checkScopes(scopes: TokenScope[]): void {
  if (!Array.isArray(scopes)) throw new TypeError('scopes must be an array of token scopes, e.g. ["chat"]');
}

function checkOptions(options: unknown, name: string): void {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`${name} must be an object`);
  }
}

function checkRequiredString(value: unknown, name: string): void {
  if (typeof value !== "string") throw new TypeError(`${name} is required and must be a string`);
  if (value.trim() === "") throw new RangeError(`${name} must not be empty`);
}

function toAccessToken(accessToken: CommunicationIdentityAccessToken): CommunicationAccessToken {
  return { token: accessToken.token, expiresOn: parseServiceDate(accessToken.expiresOn) };
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses the service's timestamps (`2025-04-18T14:46:09.2469181+00:00`, 7 fractional digits)
 * exactly to the millisecond (truncated) in every engine, without relying on Date.parse leniency.
 */
function parseServiceDate(value: string): Date {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return new Date(value);
  const [, year, month, day, hour, minute, second, fraction = "", zone = "Z"] = match;
  const milliseconds = Number((fraction + "000").slice(0, 3));
  let time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), milliseconds);
  if (zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return new Date(time);
}
