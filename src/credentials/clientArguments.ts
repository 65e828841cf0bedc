import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import { isKeyCredential, isTokenCredential } from "./credentialKinds.js";
import { CONNECTION_STRING_FORMAT, looksLikeConnectionString, parseConnectionString } from "./parseConnectionString.js";
import { validateEndpoint } from "./validateEndpoint.js";

/** A client constructor's arguments, once told apart: where to send, how to authenticate, the options. */
export interface ClientArguments<TOptions extends object> {
  endpoint: string;
  credential: KeyCredential | TokenCredential;
  options: TOptions;
}

/**
 * Reads `(connectionString, options?)` or `(endpoint, credential, options?)`, as every client of
 * this package takes them (CONTRACT §2). Throws an Error naming the mistake, never echoing a key:
 * a credential given as a plain string, a connection string given together with a credential, an
 * undefined or empty connection string.
 */
export function readClientArguments<TOptions extends object>(
  connectionStringOrEndpoint: string,
  credentialOrOptions: KeyCredential | TokenCredential | TOptions | undefined,
  maybeOptions: TOptions | undefined,
): ClientArguments<TOptions> {
  if (typeof credentialOrOptions === "string") {
    throw new TypeError(
      "The credential must be a KeyCredential or a TokenCredential, not a string: pass the endpoint with " +
        `new AzureKeyCredential(key) (from @azure/core-auth), or the connection string ${CONNECTION_STRING_FORMAT} alone`,
    );
  }
  if (isTokenCredential(credentialOrOptions) || isKeyCredential(credentialOrOptions)) {
    if (looksLikeConnectionString(connectionStringOrEndpoint)) {
      throw new Error("Pass either a connection string alone or an endpoint url with a credential: got a connection string together with a credential");
    }
    return { endpoint: validateEndpoint(connectionStringOrEndpoint), credential: credentialOrOptions, options: maybeOptions ?? ({} as TOptions) };
  }
  return { ...parseConnectionString(connectionStringOrEndpoint), options: (credentialOrOptions as TOptions | undefined) ?? ({} as TOptions) };
}
