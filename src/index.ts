export { CommunicationIdentityClient } from "./communicationIdentityClient.js";
export { CommunicationAccessClient } from "./communicationAccessClient.js";
export type {
  AccessPageSettings,
  CommunicationAccessClientOptions,
  EntraAssignment,
  EntraAssignmentPage,
  EntraAssignmentRequest,
  EntraAssignmentUpdates,
  EntraPrincipalType,
  ListEntraAssignmentsOptions,
  PagedAsyncIterableIterator,
  TeamsExtensionAssignment,
  TeamsExtensionAssignmentRequest,
  TeamsExtensionPrincipalType,
  UpsertEntraAssignmentResult,
  UpsertTeamsExtensionAssignmentResult,
} from "./accessModels.js";
// The class every failed call rejects with, as the 2.0 line exports it (the very class core-rest-pipeline throws;
// Node's ESM build loads just that class, not all of core: see src/pipeline/restError.ts).
export { RestError } from "#platform/restError";
export {
  KnownApiVersion,
  type CommunicationAccessToken,
  type CommunicationIdentityClientOptions,
  type CommunicationUserDetail,
  type CommunicationUserIdentifier,
  type CommunicationUserToken,
  type CreateUserAndTokenOptions,
  type CreateUserOptions,
  type GetTokenForTeamsUserOptions,
  type GetTokenOptions,
  type TokenScope,
} from "./models.js";
