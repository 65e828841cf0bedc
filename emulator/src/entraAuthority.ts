/**
 * A local Entra ID authority for `@azure/identity` (MSAL): the OpenID configuration and the token
 * endpoint of the client-credentials flow, for one tenant and one app (client id and secret). The
 * tokens it issues are the emulator's test Entra tokens (entraTokens.ts), so a token for
 * `https://communication.azure.com//.default` is a bearer token this emulator accepts.
 *
 * With the tenant `adfs` (the default) MSAL skips instance discovery (a call to
 * login.microsoftonline.com): `AZURE_AUTHORITY_HOST=<endpoint>`, `AZURE_TENANT_ID=adfs`,
 * `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` are then all `EnvironmentCredential` and
 * `DefaultAzureCredential` need. MSAL accepts only https authorities.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { mintEntraToken, type EntraTokenSecrets } from "./entraTokens.js";

/**
 * The `entraAuthority` option of {@link startIdentityEmulator} (needs HTTPS): the one application the local Entra ID
 * authority issues client-credentials tokens to. `startIdentityEmulator` rejects with a `TypeError` a blank
 * `clientId`, an empty `clientSecret`, or a `tenantId` with characters other than letters, digits, `.`, `_` and `-`.
 *
 * @example
 * ```ts
 * const clientId = "00000000-0000-0000-0000-000000000001";
 * const emulator = await startIdentityEmulator({ https: true, entraAuthority: { clientId, clientSecret: "local-secret" } });
 * // @azure/identity's EnvironmentCredential then gets bearer tokens for this emulator from it, given
 * // AZURE_AUTHORITY_HOST=<emulator.endpoint> AZURE_TENANT_ID=adfs AZURE_CLIENT_ID=<clientId> AZURE_CLIENT_SECRET=local-secret
 * // and the emulator's CA trusted (NODE_EXTRA_CA_CERTS).
 * ```
 */
export interface EntraAuthorityOptions {
  /** The tenant in the authority's paths and tokens (`tid`). Default `adfs`: MSAL then skips instance discovery. */
  tenantId?: string;
  /** The application (client) id callers must present: `AZURE_CLIENT_ID`. */
  clientId: string;
  /** The client secret callers must present: `AZURE_CLIENT_SECRET`. */
  clientSecret: string;
  /** The app's service-principal object id (`oid` of the tokens). Default: derived from the client id. */
  objectId?: string;
}

/** An answer of the authority: OAuth/OpenID JSON. */
export interface AuthorityAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** For a refusal: the OAuth error and its description (no secret in either), for the request log. */
  refusal?: { code: string; message: string };
}

export const DEFAULT_AUTHORITY_TENANT = "adfs";
const MAX_FORM_BYTES = 64 * 1024;

export class EntraAuthority {
  readonly tenantId: string;
  private readonly clientId: string;
  private readonly secretDigest: Buffer;
  private readonly objectId: string;

  constructor(
    options: EntraAuthorityOptions,
    private readonly secrets: EntraTokenSecrets,
    private readonly now: () => Date,
  ) {
    const tenantId = options.tenantId ?? DEFAULT_AUTHORITY_TENANT;
    if (!/^[A-Za-z0-9._-]+$/.test(tenantId)) throw new TypeError("entraAuthority.tenantId must be a tenant id or name (letters, digits, . _ -).");
    if (typeof options.clientId !== "string" || options.clientId.trim() === "") throw new TypeError("entraAuthority.clientId must be a non-empty string.");
    if (typeof options.clientSecret !== "string" || options.clientSecret === "") throw new TypeError("entraAuthority.clientSecret must be a non-empty string.");
    this.tenantId = tenantId;
    this.clientId = options.clientId;
    this.secretDigest = digest(options.clientSecret);
    this.objectId = options.objectId ?? guidFrom(`communication-identity-emulator/service-principal/${options.clientId}`);
  }

  /** The handler for one of the authority's paths (`/{tenant}/…`), or undefined for any other path. */
  route(method: string, path: string): ((req: IncomingMessage) => Promise<AuthorityAnswer>) | undefined {
    const prefix = `/${this.tenantId}/`;
    if (!path.startsWith(prefix)) return undefined;
    const rest = path.slice(prefix.length);
    if (rest === ".well-known/openid-configuration" || rest === "v2.0/.well-known/openid-configuration") {
      return async (req) => (method === "GET" ? this.openIdConfiguration(req) : notAllowed("GET"));
    }
    if (rest === "oauth2/v2.0/token" || rest === "oauth2/token") {
      return async (req) => (method === "POST" ? this.token(req) : notAllowed("POST"));
    }
    if (rest === "discovery/v2.0/keys" || rest === "discovery/keys") {
      // The tokens are HS256 with the emulator's own secret: there is no public key to publish.
      return async () => (method === "GET" ? { status: 200, body: { keys: [] } } : notAllowed("GET"));
    }
    return undefined;
  }

  /** Built from the request's Host: MSAL requires the issuer to match the authority's scheme, host and port exactly. */
  private openIdConfiguration(req: IncomingMessage): AuthorityAnswer {
    const base = this.base(req);
    return {
      status: 200,
      body: {
        issuer: base,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_types_supported: ["token"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["HS256"],
        token_endpoint_auth_methods_supported: ["client_secret_post"],
        grant_types_supported: ["client_credentials"],
        tenant_region_scope: null,
      },
    };
  }

  private async token(req: IncomingMessage): Promise<AuthorityAnswer> {
    const form = await readForm(req);
    if (form === undefined) return oauthError(400, "invalid_request", "The token request must be an application/x-www-form-urlencoded body of at most 64 KiB.");
    const grantType = form.get("grant_type");
    if (grantType !== "client_credentials") {
      return oauthError(400, "unsupported_grant_type", `This emulator's authority supports grant_type=client_credentials only (got ${JSON.stringify(grantType)}).`);
    }
    const clientId = form.get("client_id");
    const clientSecret = form.get("client_secret");
    if (clientId === null || clientSecret === null) {
      return oauthError(400, "invalid_request", "The token request needs client_id and client_secret (a client secret credential).");
    }
    if (clientId !== this.clientId) {
      return oauthError(400, "unauthorized_client", `Application '${clientId}' is not the one configured on this emulator's authority (--entra-client-id, or entraAuthority.clientId).`);
    }
    if (!timingSafeEqual(digest(clientSecret), this.secretDigest)) {
      return oauthError(401, "invalid_client", "The client secret is not the one configured on this emulator's authority (--entra-client-secret or COMMUNICATION_EMULATOR_ENTRA_CLIENT_SECRET, or entraAuthority.clientSecret).");
    }
    const scopes = (form.get("scope") ?? "").split(" ").filter((scope) => scope !== "" && !OIDC_SCOPES.has(scope));
    const now = this.now();
    let minted;
    try {
      minted = mintEntraToken({ tenantId: this.tenantId, objectId: this.objectId, appId: this.clientId, scopes }, this.secrets, now);
    } catch (error) {
      // The message names what is wrong with the scopes, never a secret.
      return oauthError(400, "invalid_scope", `This emulator's authority cannot issue a token for scope '${scopes.join(" ")}': ${(error as Error).message}.`);
    }
    const expiresIn = Math.max(0, minted.expiresOnTimestamp / 1000 - Math.floor(now.getTime() / 1000));
    return {
      status: 200,
      body: { token_type: "Bearer", expires_in: expiresIn, ext_expires_in: expiresIn, access_token: minted.token },
      headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
    };
  }

  private base(req: IncomingMessage): string {
    const host = req.headers.host ?? "127.0.0.1";
    return `https://${host}/${this.tenantId}`;
  }
}

/** Scopes MSAL adds to every request; they name no resource. */
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access"]);

function notAllowed(allowed: string): AuthorityAnswer {
  return { status: 405, body: { error: "invalid_request", error_description: `Use ${allowed}.` }, headers: { Allow: allowed } };
}

/** The OAuth 2.0 error answer (RFC 6749 §5.2), as MSAL reads it. */
function oauthError(status: number, error: string, description: string): AuthorityAnswer {
  return {
    status,
    body: { error, error_description: description, error_codes: [], timestamp: new Date().toISOString() },
    refusal: { code: error, message: description },
  };
}

function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FORM_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_FORM_BYTES ? undefined : new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** A stable GUID-shaped id from a name. */
function guidFrom(name: string): string {
  const hex = createHash("sha256").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
