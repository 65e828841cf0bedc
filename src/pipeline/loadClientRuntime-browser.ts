import { createOperationContext, runOperation } from "./clientRuntime.js";
import type { ClientRuntimeModule } from "./loadClientRuntime.js";

// Browser build: bundlers keep the runtime in the one bundle, so it is imported statically.
const runtime: ClientRuntimeModule = { createOperationContext, runOperation };

/** The client's core-dependent half; in browsers it is already loaded. */
export function loadClientRuntime(): ClientRuntimeModule {
  return runtime;
}
