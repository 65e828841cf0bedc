import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { OperationOptions } from "@azure/core-client";
import type {
  AccessPageSettings,
  CommunicationAccessClientOptions,
  EntraAssignment,
  EntraAssignmentPage,
  EntraAssignmentRequest,
  EntraAssignmentUpdates,
  ListEntraAssignmentsOptions,
  PagedAsyncIterableIterator,
  TeamsExtensionAssignment,
  TeamsExtensionAssignmentRequest,
  UpsertEntraAssignmentResult,
  UpsertTeamsExtensionAssignmentResult,
} from "./accessModels.js";
import { createApiVersionPolicy, type ApiVersionPolicy } from "./apiVersionPolicy.js";
import { readClientArguments } from "./credentials/clientArguments.js";
import type {
  EntraAssignmentUpdateBulkRequest,
  EntraAssignmentsResponse,
  EntraAssignment as WireEntraAssignment,
  TeamsExtensionAssignmentResponse,
} from "./generated/models.js";
import type { OperationDescriptor, ParameterDescriptor } from "./generated/operationDescriptor.js";
import {
  entraIdAssignmentDeleteOperation,
  entraIdAssignmentGetOperation,
  entraIdAssignmentsListOperation,
  entraIdAssignmentsUpdateOperation,
  entraIdAssignmentUpsertOperation,
  teamsExtensionAssignmentDeleteOperation,
  teamsExtensionAssignmentGetOperation,
  teamsExtensionAssignmentUpsertOperation,
} from "./generated/operations.js";
import type { ClientSettings } from "./pipeline/clientRuntime.js";
import { loadClientRuntime } from "#platform/loadClientRuntime";
import { AnswerShapeError, answerObject, answerString } from "./pipeline/readAnswer.js";
import type { OperationContext, ResultReader } from "./pipeline/sendOperation.js";

/**
 * Manages who may exchange Entra ID tokens for Communication Services tokens: Teams Phone extensibility
 * assignments (per tenant and object id) and Entra ID access assignments (per user, group or tenant). The
 * exchange itself is done by `@azure/communication-common`'s `AzureCommunicationTokenCredential`.
 *
 * @example
 * ```ts
 * import { CommunicationAccessClient } from "communication-identity";
 *
 * const access = new CommunicationAccessClient(process.env.COMMUNICATION_CONNECTION_STRING!);
 * await access.upsertEntraAssignment(userObjectId, { tenantId, principalType: "user", clientIds: [appId] });
 * ```
 *
 * Constructed like `CommunicationIdentityClient` (connection string, endpoint + key, endpoint + token credential; the
 * same options). Without an `apiVersion` option, Teams Phone calls go out with the newest stable version that has them
 * (`2026-09-23`) and Entra ID calls with `2025-03-02-preview`, the only version that has them. Every method rejects
 * (never throws): argument errors before any request, HTTP and network failures as `RestError`, an answer the client
 * cannot read as a `RestError` with code `PARSE_ERROR`. The real service serves these operations only for resources
 * allow-listed for the features (others get 403).
 */
export class CommunicationAccessClient {
  // Private (#) so neither util.inspect nor JSON.stringify can reach the credential inside the pipeline.
  readonly #settings: ClientSettings;
  readonly #apiVersions: ApiVersionPolicy;
  #context: OperationContext | undefined;

  /**
   * Creates a client from a connection string (`endpoint=https://…;accesskey=…`).
   * @param connectionString - The resource's connection string.
   * @param options - Pipeline options and the api-version.
   */
  constructor(connectionString: string, options?: CommunicationAccessClientOptions);
  /**
   * Creates a client that signs requests with the resource's access key.
   * @param endpoint - `https://<resource>.communication.azure.com`.
   * @param credential - The access key, e.g. `new AzureKeyCredential(key)`.
   * @param options - Pipeline options and the api-version.
   */
  constructor(endpoint: string, credential: KeyCredential, options?: CommunicationAccessClientOptions);
  /**
   * Creates a client that authenticates with Entra ID (bearer tokens, https only).
   * @param endpoint - `https://<resource>.communication.azure.com`.
   * @param credential - A token credential, e.g. `new DefaultAzureCredential()` from `@azure/identity`.
   * @param options - Pipeline options and the api-version.
   */
  constructor(endpoint: string, credential: TokenCredential, options?: CommunicationAccessClientOptions);
  constructor(
    connectionStringOrEndpoint: string,
    credentialOrOptions?: KeyCredential | TokenCredential | CommunicationAccessClientOptions,
    maybeOptions?: CommunicationAccessClientOptions,
  ) {
    const { endpoint, credential, options } = readClientArguments(connectionStringOrEndpoint, credentialOrOptions, maybeOptions);
    // A copy, so options changed after construction do not reach the pipeline built later.
    const additionalPolicies = options.additionalPolicies && [...options.additionalPolicies];
    this.#settings = { endpoint, credential, options: { ...options, additionalPolicies } };
    this.#apiVersions = createApiVersionPolicy(options.apiVersion);
  }

  /**
   * Reads the Teams Phone extensibility assignment of a resource account or user; rejects with a 404
   * `RestError` when there is none.
   *
   * @example
   * ```ts
   * const { principalType, clientIds } = await access.getTeamsExtensionAssignment(tenantId, objectId);
   * ```
   * @param tenantId - The Entra ID tenant.
   * @param objectId - The object id of the resource account or user.
   * @param options - Operation options.
   */
  async getTeamsExtensionAssignment(tenantId: string, objectId: string, options: OperationOptions = {}): Promise<TeamsExtensionAssignment> {
    const params = { tenantId: checkString(tenantId, "tenantId"), objectId: checkString(objectId, "objectId") };
    checkOptions(options);
    return this.#call("getTeamsExtensionAssignment", teamsExtensionAssignmentGetOperation, params, undefined, options, toTeamsExtensionAssignment);
  }

  /**
   * Creates or replaces the Teams Phone extensibility assignment of a resource account or user.
   *
   * @example
   * ```ts
   * const { created } = await access.upsertTeamsExtensionAssignment(tenantId, objectId, { principalType: "user", clientIds: [appId] });
   * ```
   * @param tenantId - The Entra ID tenant.
   * @param objectId - The object id of the resource account or user.
   * @param assignment - `principalType` and, optionally, the client ids allowed to exchange.
   * @param options - Operation options.
   * @returns The assignment as stored and whether it was created (201) rather than replaced (200).
   */
  async upsertTeamsExtensionAssignment(
    tenantId: string,
    objectId: string,
    assignment: TeamsExtensionAssignmentRequest,
    options: OperationOptions = {},
  ): Promise<UpsertTeamsExtensionAssignmentResult> {
    const params = { tenantId: checkString(tenantId, "tenantId"), objectId: checkString(objectId, "objectId") };
    checkObject(assignment, "assignment");
    const body = { principalType: checkString(assignment.principalType, "assignment.principalType"), clientIds: optionalStrings(assignment.clientIds, "assignment.clientIds") };
    checkOptions(options);
    return this.#upsert("upsertTeamsExtensionAssignment", teamsExtensionAssignmentUpsertOperation, params, body, options, toTeamsExtensionAssignment);
  }

  /**
   * Removes the Teams Phone extensibility assignment of a resource account or user.
   *
   * @example
   * ```ts
   * await access.deleteTeamsExtensionAssignment(tenantId, objectId);
   * ```
   * @param tenantId - The Entra ID tenant.
   * @param objectId - The object id of the resource account or user.
   * @param options - Operation options.
   */
  async deleteTeamsExtensionAssignment(tenantId: string, objectId: string, options: OperationOptions = {}): Promise<void> {
    const params = { tenantId: checkString(tenantId, "tenantId"), objectId: checkString(objectId, "objectId") };
    checkOptions(options);
    await this.#call("deleteTeamsExtensionAssignment", teamsExtensionAssignmentDeleteOperation, params, undefined, options, toVoid);
  }

  /**
   * Lists the resource's Entra ID access assignments, following the service's `nextLink` page by page.
   *
   * @example
   * ```ts
   * for await (const assignment of access.listEntraAssignments()) console.log(assignment.objectId);
   * for await (const page of access.listEntraAssignments().byPage()) console.log(page.length);
   * ```
   * @param options - Operation options, used for every page's request.
   */
  listEntraAssignments(options: ListEntraAssignmentsOptions = {}): PagedAsyncIterableIterator<EntraAssignment, EntraAssignmentPage> {
    const pages = (settings?: AccessPageSettings) => this.#entraPages(settings, options);
    const items = (async function* () {
      for await (const page of pages()) yield* page;
    })();
    const iterator: PagedAsyncIterableIterator<EntraAssignment, EntraAssignmentPage> = {
      next: () => items.next(),
      [Symbol.asyncIterator]: () => iterator,
      byPage: (settings?: AccessPageSettings) => pages(settings),
    };
    return iterator;
  }

  /**
   * Reads the Entra ID access assignment of a user, group or tenant; rejects with a 404 `RestError` when there is none.
   *
   * @example
   * ```ts
   * const { tenantId, principalType, clientIds } = await access.getEntraAssignment(objectId);
   * ```
   * @param objectId - The object id of the user, group or tenant.
   * @param options - Operation options.
   */
  async getEntraAssignment(objectId: string, options: OperationOptions = {}): Promise<EntraAssignment> {
    const params = { objectId: checkString(objectId, "objectId") };
    checkOptions(options);
    return this.#call("getEntraAssignment", entraIdAssignmentGetOperation, params, undefined, options, toEntraAssignment);
  }

  /**
   * Creates or replaces the Entra ID access assignment of a user, group or tenant.
   *
   * @example
   * ```ts
   * const { assignment, created } = await access.upsertEntraAssignment(groupId, { tenantId, principalType: "group", clientIds: [appId] });
   * ```
   * @param objectId - The object id of the user, group or tenant.
   * @param assignment - Tenant, principal type and the client ids allowed to exchange.
   * @param options - Operation options.
   * @returns The assignment as stored and whether it was created (201) rather than replaced (200).
   */
  async upsertEntraAssignment(objectId: string, assignment: EntraAssignmentRequest, options: OperationOptions = {}): Promise<UpsertEntraAssignmentResult> {
    const params = { objectId: checkString(objectId, "objectId") };
    const body = checkEntraRequest(assignment, "assignment");
    checkOptions(options);
    return this.#upsert("upsertEntraAssignment", entraIdAssignmentUpsertOperation, params, body, options, toEntraAssignment);
  }

  /**
   * Removes the Entra ID access assignment of a user, group or tenant.
   *
   * @example
   * ```ts
   * await access.deleteEntraAssignment(objectId);
   * ```
   * @param objectId - The object id of the user, group or tenant.
   * @param options - Operation options.
   */
  async deleteEntraAssignment(objectId: string, options: OperationOptions = {}): Promise<void> {
    const params = { objectId: checkString(objectId, "objectId") };
    checkOptions(options);
    await this.#call("deleteEntraAssignment", entraIdAssignmentDeleteOperation, params, undefined, options, toVoid);
  }

  /**
   * Creates, changes and removes Entra ID access assignments in one request (a JSON merge patch, sent as
   * `application/merge-patch+json`): `null` removes an assignment, an object creates or updates one.
   *
   * @example
   * ```ts
   * await access.updateEntraAssignments({
   *   [userId]: { tenantId, principalType: "user", clientIds: [appId] },
   *   [formerUserId]: null,
   * });
   * ```
   * @param updates - Object id → assignment, or `null` to remove it.
   * @param options - Operation options.
   * @returns The assignments the service answers with (none when it answers 204).
   */
  async updateEntraAssignments(updates: EntraAssignmentUpdates, options: OperationOptions = {}): Promise<EntraAssignment[]> {
    checkObject(updates, "updates");
    const body: Record<string, Partial<EntraAssignmentRequest> | null> = {};
    for (const objectId of Object.keys(updates)) {
      if (objectId.trim() === "") throw new RangeError("updates must not have an empty object id");
      const update = updates[objectId];
      if (update === null) {
        body[objectId] = null;
        continue;
      }
      const name = `updates[${JSON.stringify(objectId)}]`;
      checkObject(update, name);
      body[objectId] = {
        tenantId: optionalString(update.tenantId, `${name}.tenantId`),
        principalType: optionalString(update.principalType, `${name}.principalType`) as EntraAssignmentRequest["principalType"] | undefined,
        clientIds: optionalStrings(update.clientIds, `${name}.clientIds`),
      };
    }
    checkOptions(options);
    // The generated type has no null members; its serializer writes them (merge patch removes with null).
    const wireBody = body as unknown as EntraAssignmentUpdateBulkRequest;
    return this.#call("updateEntraAssignments", entraIdAssignmentsUpdateOperation, undefined, wireBody, options, (answer) =>
      answer === undefined ? [] : toEntraAssignmentList(answer, "value"),
    );
  }

  /** Pages of `GET /access/entra/assignments`, from the first or from a continuation token (a nextLink). */
  async *#entraPages(settings: AccessPageSettings | undefined, options: ListEntraAssignmentsOptions): AsyncIterableIterator<EntraAssignmentPage> {
    checkOptions(options);
    if (settings !== undefined) checkObject(settings, "settings");
    let nextLink = settings?.continuationToken === undefined ? undefined : checkString(settings.continuationToken, "settings.continuationToken");
    let first = nextLink === undefined;
    while (first || nextLink !== undefined) {
      const page: EntraAssignmentPage = first
        ? await this.#call("listEntraAssignments", entraIdAssignmentsListOperation, undefined, undefined, options, (answer) => this.#toPage(answer))
        : await this.#callNextLink(nextLink!, options);
      first = false;
      nextLink = page.continuationToken;
      yield page;
    }
  }

  /** Follows a nextLink: the list operation at the link's path and query (the link must be on the client's endpoint). */
  #callNextLink(nextLink: string, options: OperationOptions): Promise<EntraAssignmentPage> {
    const url = new URL(nextLink, this.#settings.endpoint);
    if (url.origin !== new URL(this.#settings.endpoint).origin) {
      throw new RangeError("settings.continuationToken must be a link on the client's endpoint");
    }
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, name) => {
      if (name !== "api-version") query[name] = value;
    });
    const queryParams: ParameterDescriptor<Record<string, string>>[] = Object.keys(query).map((name) => ({ name, wireName: name, required: false }));
    const operation: OperationDescriptor<Record<string, string>, undefined, EntraAssignmentsResponse> = {
      ...entraIdAssignmentsListOperation,
      path: url.pathname,
      pathParams: [],
      queryParams,
      headerParams: undefined,
    };
    const apiVersion = url.searchParams.get("api-version") ?? undefined;
    return this.#call("listEntraAssignments", operation, query, undefined, options, (answer) => this.#toPage(answer), apiVersion);
  }

  /** A page, with the nextLink (resolved against the endpoint, refused when on another origin) as continuation token. */
  #toPage(answer: EntraAssignmentsResponse): EntraAssignmentPage {
    const page: EntraAssignmentPage = toEntraAssignmentList(answer, "value");
    const nextLink = (answer as { nextLink?: unknown }).nextLink;
    if (nextLink !== undefined && nextLink !== null && nextLink !== "") {
      if (typeof nextLink !== "string") throw new AnswerShapeError("nextLink must be a string");
      let url: URL;
      try {
        url = new URL(nextLink, this.#settings.endpoint);
      } catch {
        throw new AnswerShapeError("nextLink must be a URL");
      }
      // Following a link elsewhere would send this client's credential to another host.
      if (url.origin !== new URL(this.#settings.endpoint).origin) throw new AnswerShapeError("nextLink must be on the client's endpoint");
      page.continuationToken = url.toString();
    }
    return page;
  }

  /** An upsert: the mapped assignment and whether the answer was 201 Created. */
  async #upsert<TParams, TBody, TResult, TPublic>(
    method: string,
    operation: OperationDescriptor<TParams, TBody, TResult>,
    params: TParams,
    body: TBody,
    options: OperationOptions,
    map: (result: TResult) => TPublic,
  ): Promise<{ assignment: TPublic; created: boolean }> {
    let status: number | undefined;
    const onResponse = options.onResponse;
    const observed: OperationOptions = {
      ...options,
      onResponse: (rawResponse, flatResponse, error) => {
        status = rawResponse.status;
        onResponse?.(rawResponse, flatResponse, error);
      },
    };
    const assignment = await this.#call(method, operation, params, body, observed, map);
    return { assignment, created: status === 201 };
  }

  /** Runs one operation in the span `CommunicationAccess-<method>` with the api-version the policy chooses (or `apiVersion`). */
  async #call<TParams, TBody, TResult, TPublic>(
    method: string,
    operation: OperationDescriptor<TParams, TBody, TResult>,
    params: TParams,
    body: TBody | undefined,
    options: OperationOptions,
    read: ((result: TResult) => TPublic) | ResultReader<TResult, TPublic>,
    apiVersion?: string,
  ): Promise<TPublic> {
    // Before any request: a pinned api-version that lacks the operation rejects here, naming the versions that have it.
    const version = apiVersion ?? this.#apiVersions.choose(operation, body as object | undefined, method);
    const runtime = await loadClientRuntime();
    this.#context ??= runtime.createOperationContext(this.#settings);
    return runtime.runOperation(this.#context, method, operation, version, params, body, options, read, "CommunicationAccess");
  }
}

function checkOptions(options: unknown): void {
  if (options !== undefined && (typeof options !== "object" || options === null)) throw new TypeError("options must be an object");
}

function checkObject(value: unknown, name: string): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TypeError(`${name} must be an object`);
}

function checkString(value: unknown, name: string): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string`);
  if (value.trim() === "") throw new RangeError(`${name} must not be empty`);
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  return value === undefined ? undefined : checkString(value, name);
}

function checkStrings(value: unknown, name: string): string[] {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of strings`);
  value.forEach((item, index) => {
    if (typeof item !== "string") throw new TypeError(`${name}[${index}] must be a string`);
  });
  return [...(value as string[])];
}

function optionalStrings(value: unknown, name: string): string[] | undefined {
  return value === undefined ? undefined : checkStrings(value, name);
}

function checkEntraRequest(assignment: EntraAssignmentRequest, name: string): EntraAssignmentRequest {
  checkObject(assignment, name);
  return {
    tenantId: checkString(assignment.tenantId, `${name}.tenantId`),
    principalType: checkString(assignment.principalType, `${name}.principalType`) as EntraAssignmentRequest["principalType"],
    clientIds: checkStrings(assignment.clientIds, `${name}.clientIds`),
  };
}

// Result mapping trusts no field's type: a wrong one throws (naming its JSON path) and becomes a PARSE_ERROR RestError.

function answerStrings(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw new AnswerShapeError(`${path} must be an array`);
  return value.map((item, index) => answerString(item, `${path}[${index}]`));
}

function toTeamsExtensionAssignment(answer: TeamsExtensionAssignmentResponse): TeamsExtensionAssignment {
  const body = answerObject(answer, "the body");
  const assignment: TeamsExtensionAssignment = {
    objectId: answerString(body.objectId, "objectId"),
    tenantId: answerString(body.tenantId, "tenantId"),
    principalType: answerString(body.principalType, "principalType") as TeamsExtensionAssignment["principalType"],
  };
  if (body.clientIds !== undefined && body.clientIds !== null) assignment.clientIds = answerStrings(body.clientIds, "clientIds");
  return assignment;
}

function toEntraAssignment(answer: WireEntraAssignment, path = ""): EntraAssignment {
  const body = answerObject(answer, path || "the body");
  const at = (name: string) => (path ? `${path}.${name}` : name);
  return {
    objectId: answerString(body.objectId, at("objectId")),
    tenantId: answerString(body.tenantId, at("tenantId")),
    principalType: answerString(body.principalType, at("principalType")) as EntraAssignment["principalType"],
    clientIds: answerStrings(body.clientIds, at("clientIds")),
  };
}

function toEntraAssignmentList(answer: EntraAssignmentsResponse, path: string): EntraAssignment[] {
  const value = answerObject(answer, "the body")[path];
  if (!Array.isArray(value)) throw new AnswerShapeError(`${path} must be an array`);
  return value.map((item, index) => toEntraAssignment(item as WireEntraAssignment, `${path}[${index}]`));
}

function toVoid(): void {}
