/** The error envelope and the exact messages the real service sends (CONTRACT §7). */

export interface ServiceErrorBody {
  error: { code: string; message: string; target?: string };
}

/** A failure that the router turns into the service's `{"error":{...}}` envelope. */
export class EmulatorHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, target?: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "EmulatorHttpError";
    this.status = status;
    this.code = code;
    this.target = target;
    this.headers = headers;
  }

  toBody(): ServiceErrorBody {
    const error: ServiceErrorBody["error"] = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    return { error };
  }
}

export const messages = {
  scopesRequired: "Invalid scopes - Scopes field is required.",
  expiresInMinutes: (value: unknown) =>
    `ExpiresInMinutes value ${String(value)} is invalid. Value must be within the [60, 1440] interval.`,
  identityNotOwned: "Provided identity doesn't belong to the resource.",
  identityNotFound: "Provided identity doesn't exist.",
  invalidAccessToken: "Provided access token is not valid.",
  appIdFormat: "Provided AppId has invalid format.",
  userIdFormat: "Provided UserId has invalid format.",
} as const;

export const validation = (message: string, target?: string) => new EmulatorHttpError(400, "ValidationError", message, target);

export const identityNotFound = () => new EmulatorHttpError(404, "IdentityNotFound", messages.identityNotFound);

export const identityNotOwned = () => new EmulatorHttpError(401, "IdentityNotOwned", messages.identityNotOwned);

export const invalidAccessToken = () => new EmulatorHttpError(401, "InvalidAccessToken", messages.invalidAccessToken);

/** 401 for a request whose credentials are missing or malformed (never echoes the credential). */
export const invalidAuthenticationInfo = (message: string) => new EmulatorHttpError(401, "InvalidAuthenticationInfo", message);

/** 401 for a well-formed credential that does not verify, as ACS answers a wrong signature. */
export const denied = (message = "Denied by the resource provider.") => new EmulatorHttpError(401, "Denied", message);
