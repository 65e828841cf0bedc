// Emits src/generated/ (the client's layer) and emulator/src/generated/ (the emulator's route table)
// from the service's OpenAPI files listed in scripts/generator/specs.json: `npm run generate`.
//   --config <file>  another generator config (tests use fixture specs)
//   --out <dir>      write under <dir> instead of the repository (same relative paths)
//   --check          write nothing; fail when a generated file is stale
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GeneratorInputError } from "./generator/config.js";
import { generateFiles } from "./generator/index.js";

const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const outRoot = option("--out") === undefined ? repoRoot : resolve(option("--out")!);
const configOption = option("--config");
const check = args.includes("--check");

let files: Map<string, string>;
try {
  files = generateFiles(repoRoot, configOption === undefined ? undefined : resolve(configOption));
} catch (error) {
  // Problems with the input are the user's to fix: say what and where, without a stack trace.
  if (error instanceof GeneratorInputError) {
    console.error(`npm run generate: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const stale: string[] = [];
for (const [path, content] of files) {
  const target = join(outRoot, path);
  if (check) {
    if (!existsSync(target) || readFileSync(target, "utf8") !== content) stale.push(path);
    continue;
  }
  mkdirSync(dirname(target), { recursive: true });
  if (!existsSync(target) || readFileSync(target, "utf8") !== content) writeFileSync(target, content);
}
if (stale.length > 0) {
  console.error(`Generated files are out of date (${stale.join(", ")}): run \`npm run generate\`.`);
  process.exit(1);
}
