/** The error envelope and the exact messages the real service sends (CONTRACT §7). */

export interface ServiceErrorBody {
  error: { code: string; message: string; target?: string; innererror?: Explanation };
}

/**
 * Why the emulator refused a request: sent as `error.innererror` (SDKs surface it as `details.error.innerError`),
 * kept in the request log and printed on the terminal line. It never holds a key, a token or a signature.
 */
export interface Explanation {
  /** What kind of refusal: `SignatureMismatch`, `ContentHashMismatch`, `ClockSkew`, `MissingHeader`, … */
  code: string;
  /** One sentence a developer can act on. */
  message: string;
  /** The part of the signed request that differed, where the emulator can tell. */
  differs?: "method" | "path" | "date" | "host" | "contentHash" | "key" | "unknown";
  /** The header that is missing or wrong. */
  header?: string;
  /** The field of the body that failed validation. */
  field?: string;
  /** The string-to-sign the emulator computed from what arrived (no secret in it). */
  stringToSign?: string;
  /** The request's x-ms-date minus the emulator's clock, in seconds. */
  clockSkewSeconds?: number;
  [fact: string]: unknown;
}

/** A failure that the router turns into the service's `{"error":{...}}` envelope. */
export class EmulatorHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly headers: Record<string, string>;
  /** Sent as `error.innererror`; see {@link Explanation}. */
  explanation: Explanation | undefined;

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
    if (this.explanation !== undefined) error.innererror = this.explanation;
    return { error };
  }

  /** Attaches the explanation sent as `error.innererror`. */
  explain(explanation: Explanation): this {
    this.explanation = explanation;
    return this;
  }
}

/**
 * What the request log and the terminal show for a refusal: the attached explanation, else the field a
 * validation error names (its `target`; the answer itself stays the service's), else the message.
 */
export function explanationOf(error: EmulatorHttpError): Explanation {
  if (error.explanation) return error.explanation;
  if (error.target !== undefined) return { code: error.code, message: error.message, field: error.target };
  return { code: error.code, message: error.message };
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

/** 403 for an access exchange no assignment covers (Teams Phone extensibility or Entra ID); the message names the ids. */
export const accessNotAssigned = (message: string) => new EmulatorHttpError(403, "AccessNotAssigned", message);

/** 404 for a Teams Phone extensibility or Entra ID assignment that does not exist. */
export const assignmentNotFound = () => new EmulatorHttpError(404, "AssignmentNotFound", "Provided assignment doesn't exist.");

/** 401 for a request whose credentials are missing or malformed (never echoes the credential). */
export const invalidAuthenticationInfo = (message: string, explanation?: Explanation) =>
  withExplanation(new EmulatorHttpError(401, "InvalidAuthenticationInfo", message), explanation);

/** 401 for a well-formed credential that does not verify, as ACS answers a wrong signature. */
export const denied = (message = "Denied by the resource provider.", explanation?: Explanation) =>
  withExplanation(new EmulatorHttpError(401, "Denied", message), explanation);

function withExplanation(error: EmulatorHttpError, explanation: Explanation | undefined): EmulatorHttpError {
  return explanation ? error.explain(explanation) : error;
}
