import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import * as core from "@azure/core-rest-pipeline";
import { RestError } from "../../src/index.js";
import { ensureBuilt } from "../helpers/ensureBuilt.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

// Records every module URL the process loads (module.register resolve hook), then imports the built
// package by its own name and prints what it found.
const probe = `
import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
const loaded = [];
const { port1, port2 } = new MessageChannel();
port1.on("message", (url) => loaded.push(url));
port1.unref();
const hooks = "data:text/javascript," + encodeURIComponent(
  "let port; export function initialize(data) { port = data.port; }" +
  "export async function resolve(specifier, context, next) { const result = await next(specifier, context); port.postMessage(result.url); return result; }");
register(hooks, { data: { port: port2 }, transferList: [port2] });
const ours = await import("communication-identity");
await new Promise((done) => setTimeout(done, 50));
const coreIndexLoaded = loaded.some((url) => /@azure\\/core-rest-pipeline\\/dist\\/esm\\/index\\.js$/.test(url));
const core = await import("@azure/core-rest-pipeline");
console.log(JSON.stringify({ coreIndexLoaded, same: ours.RestError === core.RestError, isRestError: core.isRestError(new ours.RestError("x")) }));
`;

describe("RestError, exported from the package root", () => {
  it("is core-rest-pipeline's own class (instanceof and isRestError hold both ways)", () => {
    expect(RestError).toBe(core.RestError);
    const error = new core.RestError("boom", { statusCode: 500 });
    expect(error).toBeInstanceOf(RestError);
    expect(core.isRestError(new RestError("boom"))).toBe(true);
  });

  it("costs an ESM import of the built package no load of core-rest-pipeline's index, and is still core's class", async () => {
    ensureBuilt();
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], { cwd: repoRoot });
    expect(JSON.parse(stdout.trim().split("\n").pop()!)).toEqual({ coreIndexLoaded: false, same: true, isRestError: true });
  });

  it("is core's class in the CommonJS build too", async () => {
    ensureBuilt();
    const script = `const ours = require("communication-identity"); const core = require("@azure/core-rest-pipeline"); console.log(ours.RestError === core.RestError);`;
    const { stdout } = await run(process.execPath, ["-e", script], { cwd: repoRoot });
    expect(stdout.trim()).toBe("true");
  });
});
