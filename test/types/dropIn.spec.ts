import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { typeCheckProject } from "../helpers/typeCheck.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const fixture = readFileSync(join(import.meta.dirname, "fixtures", "dropInUsage.ts"), "utf8");
const PLACEHOLDER = '"../../../src/index.js"';
// Inside the repo so both copies resolve @azure/* from its node_modules; node_modules is not tracked.
const workDir = join(repoRoot, "node_modules", ".cache", `drop-in-types-${process.pid}`);

async function typecheck(files: Record<string, string>): Promise<string> {
  mkdirSync(workDir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(workDir, name), content);
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022", "DOM"],
      types: ["node"],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    },
    files: Object.keys(files),
  };
  writeFileSync(join(workDir, "tsconfig.json"), JSON.stringify(tsconfig));
  return typeCheckProject(workDir);
}

describe("drop-in types", () => {
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it("code written against @azure/communication-identity 1.3.1 compiles unchanged against both packages", async () => {
    expect(fixture).toContain(PLACEHOLDER);
    const ours = JSON.stringify(relative(workDir, join(repoRoot, "src", "index.js")).split("\\").join("/"));
    const output = await typecheck({
      "official.ts": fixture.replace(PLACEHOLDER, '"@azure/communication-identity"'),
      "ours.ts": fixture.replace(PLACEHOLDER, ours),
      // A control that must fail, so a broken type check cannot pass silently.
      "control.ts": `import { CommunicationIdentityClient } from ${ours};\nexport const bad = (c: CommunicationIdentityClient) => c.getToken({ communicationUserId: "x" });\n`,
    });
    const errorFiles = [...new Set([...output.matchAll(/^(?:\S*\/)?([^/\s]+?\.ts)\(\d+,\d+\): error/gm)].map((match) => match[1]))];
    expect(errorFiles, output).toEqual(["control.ts"]);
  }, 60_000);
});
