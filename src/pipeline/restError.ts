import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { RestError as CoreRestError } from "@azure/core-rest-pipeline";

/**
 * `@azure/core-rest-pipeline`'s `RestError` without loading all of core-rest-pipeline (Node ESM build).
 *
 * Core re-exports `@typespec/ts-http-runtime`'s class; that class's own module loads in about 2 ms,
 * where core's index takes about as long as the official package's whole import. The module is found
 * from core's own location, so it is the very file core's ESM build imports: one module, one class
 * (a test pins `RestError === core's RestError`). Anything unexpected falls back to importing core.
 */
async function loadRestError(): Promise<typeof CoreRestError> {
  try {
    const corePath = createRequire(import.meta.url).resolve("@azure/core-rest-pipeline");
    // …/@typespec/ts-http-runtime/dist/commonjs/index.js → …/dist/esm/restError.js
    const runtimeEntry = createRequire(corePath).resolve("@typespec/ts-http-runtime");
    const file = join(dirname(dirname(runtimeEntry)), "esm", "restError.js");
    const module = (await import(pathToFileURL(file).href)) as { RestError?: typeof CoreRestError };
    if (typeof module.RestError === "function" && module.RestError.name === "RestError") return module.RestError;
  } catch {
    // A layout this does not know: take the class from core itself.
  }
  return (await import("@azure/core-rest-pipeline")).RestError;
}

/** The class every failed call rejects with: core-rest-pipeline's `RestError`. */
export const RestError: typeof CoreRestError = await loadRestError();
export type RestError = CoreRestError;
