export { CommunicationIdentityClient } from "./communicationIdentityClient.js";
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
