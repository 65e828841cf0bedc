/** What globalSetup (Node) hands to the browser tests through vitest's provide/inject. */
import type { CommunicationIdentityClient } from "../../src/index.js";

/** The parts of a RestError the browser must reproduce exactly as Node sees them. */
export interface ObservedRestError {
  name: string;
  statusCode: number | undefined;
  code: string | undefined;
  message: string;
  details: unknown;
  responseStatus: number | undefined;
  responseBody: string | null | undefined;
  supportedVersionsHeader: string | undefined;
}

/** Reads the compared fields off a rejection (duck-typed: this module also runs in the browser). */
export function observeRestError(error: unknown): ObservedRestError {
  if (!(error instanceof Error) || error.name !== "RestError") throw new Error(`Expected a RestError, got ${String(error)}`);
  const restError = error as Error & {
    statusCode?: number;
    code?: string;
    details?: unknown;
    response?: { status: number; bodyAsText?: string | null; headers: { get(name: string): string | undefined } };
  };
  return {
    name: restError.name,
    statusCode: restError.statusCode,
    code: restError.code,
    message: restError.message,
    details: restError.details,
    responseStatus: restError.response?.status,
    responseBody: restError.response?.bodyAsText,
    supportedVersionsHeader: restError.response?.headers.get("api-supported-versions"),
  };
}

/** Error cases globalSetup replays with the Node client; the browser replays them and compares. */
export const errorCases = ["emptyScopes", "expiryTooShort", "missingIdentity", "identityNotOwned"] as const;
export type ErrorCase = (typeof errorCases)[number];

/** Identities the error cases use: fixed so Node and the browser send the very same requests. */
export function errorCaseUser(resourceId: string, errorCase: ErrorCase): { communicationUserId: string } {
  if (errorCase === "identityNotOwned") return { communicationUserId: "8:acs:00000000-0000-0000-0000-000000000000_not-mine" };
  return { communicationUserId: `8:acs:${resourceId}_never-created` };
}

/** Makes the call of one error case: Node (globalSetup) and the browser send the very same requests. */
export function runErrorCase(client: CommunicationIdentityClient, resourceId: string, errorCase: ErrorCase): Promise<unknown> {
  const user = errorCaseUser(resourceId, errorCase);
  switch (errorCase) {
    case "emptyScopes":
      return client.getToken(user, []);
    case "expiryTooShort":
      return client.createUserAndToken(["chat"], { tokenExpiresInMinutes: 59 });
    case "missingIdentity":
      return client.getUser(user);
    case "identityNotOwned":
      return client.revokeTokens(user);
  }
}

/** A user id whose DELETE the emulator answers only after a long delay (abort tests). */
export const slowUserId = "8:acs:slow-delete-for-abort";

declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port>/ (HMAC, needs allowInsecureConnection). */
    httpEndpoint: string;
    httpConnectionString: string;
    resourceId: string;
    /** https://127.0.0.1:<port>/ of a second emulator whose certificate Chromium trusts by SPKI pin. */
    httpsEndpoint: string;
    /** A bearer token the https emulator accepts, minted in Node (the browser cannot mint it). */
    bearerToken: { token: string; expiresOnTimestamp: number };
    /** A test Entra token for getTokenForTeamsUser against the http emulator. */
    teams: { token: string; appId: string; userObjectId: string; expiresOnTimestamp: number };
    nodeErrors: Record<ErrorCase, ObservedRestError>;
  }
}
