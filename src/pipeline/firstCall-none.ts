import type { ClientSettings } from "./clientRuntime.js";
import type { FirstCall } from "./firstCall.js";
import type { ClientRuntimeModule } from "./loadClientRuntime.js";

/** Browser and CommonJS builds: the runtime is bundled or loads with the package, so every call takes the pipeline. */
export function sendFirstCall<TParams, TBody, TResult, TPublic>(
  _settings: ClientSettings,
  _call: FirstCall<TParams, TBody, TResult, TPublic>,
  _runtime: Promise<ClientRuntimeModule>,
): Promise<TPublic> | undefined {
  return undefined;
}
