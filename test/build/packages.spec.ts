import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The install an app gets: the SDK carries the Azure core packages only, and the two workspace
// packages share no runtime code. (bench/installSize.ts measures the installed count and bytes
// against the official package: `npm run bench`.)
const repoRoot = resolve(import.meta.dirname, "../..");
const manifest = (folder: string) =>
  JSON.parse(readFileSync(join(repoRoot, folder, "package.json"), "utf8")) as {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
    exports: Record<string, unknown>;
    bin?: Record<string, string>;
  };

const AZURE_CORE = ["@azure/core-auth", "@azure/core-client", "@azure/core-paging", "@azure/core-rest-pipeline", "@azure/core-tracing", "@azure/core-util", "@azure/logger"];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Module specifiers a file imports (comments, such as TSDoc examples, left out). */
const importsOf = (file: string) =>
  [...readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "").matchAll(/(?:from|import\()\s*"([^"]+)"/g)].map((match) => match[1]);

describe("the SDK package (communication-identity)", () => {
  const sdk = manifest(".");

  it("depends on Azure core packages only", () => {
    for (const name of Object.keys(sdk.dependencies ?? {})) expect(AZURE_CORE, name).toContain(name);
  });

  it("no longer exports the emulator or its bin (it is its own package)", () => {
    expect(Object.keys(sdk.exports)).toEqual([".", "./package.json"]);
    expect(sdk.bin).toBeUndefined();
  });

  it("imports nothing of the emulator from its source", () => {
    for (const file of sourceFiles(join(repoRoot, "src"))) {
      for (const specifier of importsOf(file)) expect(specifier, file).not.toMatch(/emulator/);
    }
  });
});

describe("the emulator package (communication-identity-emulator)", () => {
  const emulator = manifest("emulator");

  it("has its own name, bin and Node-only exports (types for every resolver, code under the node condition only)", () => {
    expect(emulator.name).toBe("communication-identity-emulator");
    expect(emulator.bin).toEqual({ "communication-identity-emulator": "./dist/cli.js" });
    expect(Object.keys(emulator.exports["."] as object)).toEqual(["types", "node"]);
  });

  it("imports nothing from the SDK's source or package", () => {
    for (const file of sourceFiles(join(repoRoot, "emulator/src"))) {
      for (const specifier of importsOf(file)) {
        expect(specifier, file).not.toMatch(/^communication-identity(\/|$)/);
        expect(specifier, file).not.toMatch(/^\.\.\/\.\.\//);
      }
    }
  });
});
