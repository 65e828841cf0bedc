// The three clients under test behind one shape, so every measurement treats them alike:
// "ours" (this package's build, see oursSpecifier),
// "official" (@azure/communication-identity@1.3.1) and "floor" (bench/floorClient.mjs).
import { pathToFileURL } from "node:url";

export const CLIENTS = ["official", "floor", "ours"];
export const SCOPES = ["chat", "voip"];

/**
 * Where "ours" comes from: the run's private copy of dist/ (BENCH_OURS_ENTRY, set by bench/run.ts so a
 * rebuild mid-run cannot break it), else the package by its own name (the exports map, as users get it).
 */
export function oursSpecifier() {
  const entry = process.env.BENCH_OURS_ENTRY;
  return entry ? pathToFileURL(entry).href : "communication-identity";
}

/** Imports the client's module; returns the module and how long the import took, in ms. */
export async function importClientModule(which) {
  const started = performance.now();
  let module;
  if (which === "official") module = await import("@azure/communication-identity");
  else if (which === "ours") module = await import(oursSpecifier());
  else if (which === "floor") module = await import("./floorClient.mjs");
  else throw new Error(`unknown client ${which}`);
  return { module, importMs: performance.now() - started };
}

/**
 * Builds a client from an imported module. All three get the same endpoint and key.
 * @returns {{ createUserAndToken(): Promise<unknown>, getToken(user: { communicationUserId: string }): Promise<unknown>, close(): void }}
 */
export function makeClient(which, module, { endpoint, accessKey }) {
  if (which === "floor") {
    const floor = module.createFloorClient({ endpoint, accessKey });
    return {
      createUserAndToken: () => floor.createUserAndToken(SCOPES),
      getToken: (user) => floor.getToken(user, SCOPES),
      close: () => floor.close(),
    };
  }
  const Client = module.CommunicationIdentityClient ?? module.default?.CommunicationIdentityClient;
  if (typeof Client !== "function") throw new Error(`${which} does not export CommunicationIdentityClient`);
  const client = new Client(`endpoint=${endpoint};accesskey=${accessKey}`, { allowInsecureConnection: true });
  return {
    createUserAndToken: () => client.createUserAndToken(SCOPES),
    getToken: (user) => client.getToken(user, SCOPES),
    close: () => {},
  };
}

/** Throws unless a result looks like what the canned server answered, so a broken client cannot look fast. */
export function checkResult(op, result) {
  const ok =
    result &&
    typeof result.token === "string" &&
    result.token.length > 100 &&
    result.expiresOn instanceof Date &&
    !Number.isNaN(result.expiresOn.getTime()) &&
    (op !== "createUserAndToken" || typeof result.user?.communicationUserId === "string");
  if (!ok) throw new Error(`${op} returned an unexpected result`);
}
