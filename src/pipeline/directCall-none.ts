import type { ClientSettings } from "./clientRuntime.js";
import type { DirectCall } from "./directCall.js";
import type { ClientRuntimeModule } from "./loadClientRuntime.js";

/** Browser and CommonJS builds: the runtime is bundled or loads with the package, so every call takes the pipeline. */
export function sendDirectCall<TParams, TBody, TResult, TPublic>(
  _settings: ClientSettings,
  _call: DirectCall<TParams, TBody, TResult, TPublic>,
  _loadRuntime: () => ClientRuntimeModule | Promise<ClientRuntimeModule>,
): Promise<TPublic> | undefined {
  return undefined;
}
