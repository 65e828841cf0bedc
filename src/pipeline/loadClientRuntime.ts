import type * as ClientRuntime from "./clientRuntime.js";

export type ClientRuntimeModule = typeof ClientRuntime;

let runtime: ClientRuntimeModule | undefined;
let loading: Promise<ClientRuntimeModule> | undefined;

/**
 * The client's core-dependent half, loaded on first use: `@azure/core-rest-pipeline` and its
 * proxy agents are most of the package's import time, and a process that never calls pays none of it.
 * (The browser build swaps in `loadClientRuntime-browser.ts`, which imports it statically.)
 */
export function loadClientRuntime(): ClientRuntimeModule | Promise<ClientRuntimeModule> {
  return runtime ?? (loading ??= import("./clientRuntime.js").then((module) => (runtime = module)));
}
