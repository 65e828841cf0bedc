import type { KeyCredential, TokenCredential } from "@azure/core-auth";

/** A token credential is any object whose `getToken` is a function (what `@azure/core-auth` accepts). */
export function isTokenCredential(value: unknown): value is TokenCredential {
  return typeof value === "object" && value !== null && typeof (value as TokenCredential).getToken === "function";
}

/** A key credential is an object with a string `key` and no `getToken`; a plain `{ key }` counts. */
export function isKeyCredential(value: unknown): value is KeyCredential {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as KeyCredential).key === "string" &&
    (value as Partial<TokenCredential>).getToken === undefined
  );
}
