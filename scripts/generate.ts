// Emits src/generated/ from the service's OpenAPI files: `npm run generate`.
// `--out <dir>` writes elsewhere (used by tests); `--check` fails when src/generated/ is stale.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateFiles } from "./generator/index.js";

const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const outDir = outIndex >= 0 ? resolve(args[outIndex + 1]) : join(repoRoot, "src", "generated");
const check = args.includes("--check");

const files = generateFiles(repoRoot);
const stale: string[] = [];
if (!check) mkdirSync(outDir, { recursive: true });
for (const [name, content] of files) {
  const target = join(outDir, name);
  if (check) {
    if (!existsSync(target) || readFileSync(target, "utf8") !== content) stale.push(name);
  } else {
    writeFileSync(target, content);
  }
}
if (stale.length > 0) {
  console.error(`src/generated is out of date (${stale.join(", ")}): run \`npm run generate\`.`);
  process.exit(1);
}
