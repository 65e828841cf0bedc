import { createOperationContext, runOperation } from "./clientRuntime.js";
import type { ClientRuntimeModule } from "./loadClientRuntime.js";

// Browser build: bundlers keep the runtime in the one bundle, so it is imported statically (and a
// call never goes out without it: replayFirstAttempt is not needed here).
type BrowserRuntime = Pick<ClientRuntimeModule, "createOperationContext" | "runOperation">;
const runtime: BrowserRuntime = { createOperationContext, runOperation };

/** The client's core-dependent half; in browsers it is already loaded. */
export function loadClientRuntime(): BrowserRuntime {
  return runtime;
}
