import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityEmulator } from "communication-identity-emulator";
import { CommunicationIdentityClient } from "../../src/index.js";

// The README's ```ts blocks are type-checked against the package's source, so the docs cannot drift.
// Each block is a module; one that uses `client` (a CommunicationIdentityClient) or `user` (a
// CommunicationUserIdentifier) without making them gets them declared, as the README's Usage section says.
const repoRoot = resolve(import.meta.dirname, "../..");
const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
// The emulator package's README is checked the same way: its examples use both packages.
const EMULATOR_README = "emulator/README.md";
const emulatorReadme = readFileSync(join(repoRoot, EMULATOR_README), "utf8");

interface Block {
  /** 1-based README line of the block's first code line. */
  line: number;
  code: string;
  /** The markdown file the block comes from. */
  doc?: string;
}

function extractBlocks(markdown: string, language: string, doc = "README.md"): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== `\`\`\`${language}`) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== "```") end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join("\n"), doc });
    i = end;
  }
  return blocks;
}

/** Names a block declares or imports at top level (so the snippet prelude does not declare them again). */
function topLevelNames(code: string): Set<string> {
  const names = new Set<string>();
  const source = ts.createSourceFile("block.ts", code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const collect = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collect(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) statement.declarationList.declarations.forEach((declaration) => collect(declaration.name));
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (bindings && ts.isNamedImports(bindings)) bindings.elements.forEach((element) => names.add(element.name.text));
  }
  return names;
}

/** A block as a module: `client` and `user` are declared for it when it uses them without making them. */
function toModule(block: Block): { text: string; preludeLines: number } {
  const declared = topLevelNames(block.code);
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(block.code) && !declared.has(name);
  const prelude = [
    'import type * as readmePackage from "communication-identity";',
    uses("client") ? "declare const client: readmePackage.CommunicationIdentityClient;" : "",
    uses("user") ? "declare const user: readmePackage.CommunicationUserIdentifier;" : "",
    "export {};",
  ];
  return { text: `${prelude.join("\n")}\n${block.code}`, preludeLines: prelude.length };
}

interface CheckedFile {
  path: string;
  block: Block;
  preludeLines: number;
}

/** Type-checks files in one program; returns "README line N: message" per error, by file. */
function typeCheck(directory: string, files: CheckedFile[]): Map<string, string[]> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: ["node"],
    typeRoots: [join(repoRoot, "node_modules/@types")],
    strict: true,
    skipLibCheck: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    noEmit: true,
    // As a user's project sees it: the package by name (its source here, so no build is needed).
    paths: {
      "communication-identity": [join(repoRoot, "src/index.ts")],
      "communication-identity-emulator": [join(repoRoot, "emulator/src/index.ts")],
    },
  };
  const program = ts.createProgram(
    files.map((file) => file.path),
    options,
  );
  const errors = new Map<string, string[]>(files.map((file) => [file.path, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const file = files.find((candidate) => candidate.path === diagnostic.file?.fileName);
    if (!file) {
      // An error outside the snippets (e.g. in src/) would hide snippet errors: report it on every file.
      for (const list of errors.values()) list.push(`${diagnostic.file?.fileName ?? "(program)"}: ${message}`);
      continue;
    }
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    errors.get(file.path)!.push(`${file.block.doc ?? "README.md"}:${file.block.line + line - file.preludeLines}: ${message}`);
  }
  return errors;
}

const blocks = [...extractBlocks(readme, "ts"), ...extractBlocks(emulatorReadme, "ts", EMULATOR_README)];
let directory: string;
let results: Map<string, string[]>;
let files: CheckedFile[];
let brokenFile: CheckedFile;

beforeAll(() => {
  // Under the root's node_modules/.cache so @azure/*, @types/node and the like resolve as in the repo.
  const cache = join(repoRoot, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  directory = mkdtempSync(join(cache, "readme-check-"));
  writeFileSync(join(directory, "package.json"), JSON.stringify({ type: "module" }));
  files = blocks.map((block, index) => {
    const { text, preludeLines } = toModule(block);
    const path = join(directory, `block${String(index).padStart(2, "0")}.ts`);
    writeFileSync(path, text);
    return { path, block, preludeLines };
  });
  // A wrong snippet, checked in the same program, proves the check can fail.
  const broken: Block = { line: 1, code: 'const wrong = await client.createUser({ customId: 42 });\nawait client.getToken(user, ["chat"], { expiresInMinutes: 60 });' };
  const { text, preludeLines } = toModule(broken);
  brokenFile = { path: join(directory, "broken.ts"), block: broken, preludeLines };
  writeFileSync(brokenFile.path, text);
  results = typeCheck(directory, [...files, brokenFile]);
}, 60_000);

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe("README code", () => {
  it("has the TypeScript examples the docs promise", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(15);
    const all = blocks.map((block) => block.code).join("\n");
    for (const call of ["createUser(", "customId", "getUser(", "createUserAndToken(", "getToken(", "tokenExpiresInMinutes", "revokeTokens(", "deleteUser(", "getTokenForTeamsUser(", "apiVersion", "startIdentityEmulator(", "AzureKeyCredential", "DefaultAzureCredential", "setLogLevel("]) {
      expect(all, call).toContain(call);
    }
  });

  it("type-checks every ```ts block against the package", () => {
    const failures = files.flatMap((file) => results.get(file.path)!);
    expect(failures).toEqual([]);
  });

  it("would catch a snippet that no longer matches the API", () => {
    // Errors point at README lines (here: the broken block's lines 1 and 2).
    expect(results.get(brokenFile.path)).toEqual([
      expect.stringMatching(/^README\.md:1: Type 'number' is not assignable to type 'string'/),
      expect.stringMatching(/^README\.md:2: .*'expiresInMinutes' does not exist in type 'GetTokenOptions'/),
    ]);
  });
});

describe("README snippets", () => {
  // Snippets with neither imports, declarations nor <placeholders> run against the emulator, each with
  // a fresh `user`, so their code is shown to work, not only to compile.
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<void>;
  const runnable = blocks.filter((block) => !/^(import|declare)\s/m.test(block.code) && !block.code.includes("<"));

  it("run against the emulator", async () => {
    expect(runnable.length).toBeGreaterThanOrEqual(8);
    const emulator = await startIdentityEmulator({ port: 0 });
    try {
      const client = new CommunicationIdentityClient(emulator.connectionString, emulator.clientOptions());
      for (const block of runnable) {
        const js = ts.transpileModule(block.code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
        const logged: unknown[][] = [];
        const snippet = new AsyncFunction("client", "user", "console", `{\n${js.replace(/^export \{\};$/m, "")}\n}`);
        const user = await client.createUser();
        await snippet(client, user, { log: (...args: unknown[]) => logged.push(args) }).catch((error: Error) => {
          throw new Error(`${block.doc}:${block.line}: ${error.message}`);
        });
        if (block.code.includes("again.communicationUserId === sally.communicationUserId")) expect(logged[0]).toEqual([true]);
      }
    } finally {
      await emulator.close();
    }
  });
});

describe("README", () => {
  it("starts with what this is and gives the two commands", () => {
    const intro = readme.slice(0, readme.indexOf("## Install"));
    expect(intro).toContain("drop-in replacement for [`@azure/communication-identity`]");
    expect(intro).toContain("npm install && npm run samples");
    expect(intro).toContain("npm test");
  });

  it("shows the npm alias that swaps the official package in place", () => {
    expect(readme).toContain("npm install @azure/communication-identity@npm:communication-identity");
  });

  it("has the sections a new user looks for, in order", () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    const expected = ["Install in your app", "Authentication", "Usage", "API versions", "The emulator", "In the browser", "Troubleshooting", "Migrating from `@azure/communication-identity`", "Reliability", "Performance", "Contributing"];
    expect(headings.filter((heading) => expected.includes(heading))).toEqual(expected);
  });

  it("links only to files that exist", () => {
    const targets = [...readme.matchAll(/\]\(((?!https?:|#)[^)]+)\)/g)].map((match) => match[1].replace(/#.*$/, ""));
    expect(targets.length).toBeGreaterThan(3);
    for (const target of targets) expect(existsSync(join(repoRoot, target)), target).toBe(true);
    const emulatorTargets = [...emulatorReadme.matchAll(/\]\(((?!https?:|#)[^)]+)\)/g)].map((match) => match[1].replace(/#.*$/, ""));
    for (const target of emulatorTargets) expect(existsSync(join(repoRoot, "emulator", target)), target).toBe(true);
  });

  it("tells how to install both packages from a build, before the registry commands", () => {
    const install = readme.slice(readme.indexOf("## Install in your app"), readme.indexOf("## Authentication"));
    expect(install.indexOf("npm pack")).toBeGreaterThan(-1);
    expect(install.indexOf("npm pack")).toBeLessThan(install.indexOf("npm install communication-identity\n"));
    expect(install).toContain('"@azure/communication-identity@file:');
    expect(emulatorReadme).toContain("npx -p /path/to/communication-identity-emulator-<version>.tgz communication-identity-emulator");
  });

  it("names the emulator's error codes that the emulator really sends", () => {
    const source = readFileSync(join(repoRoot, "emulator/src/errors.ts"), "utf8") + readFileSync(join(repoRoot, "emulator/src/server.ts"), "utf8");
    const table = emulatorReadme.slice(emulatorReadme.indexOf("## Error answers"));
    // The second column of each row: `Code`, `Code`.
    const codes = [...table.matchAll(/^\| \d[^|]* \| ([^|]+) \|/gm)].flatMap((row) => [...row[1].matchAll(/`(\w+)`/g)].map((match) => match[1]));
    expect(codes.length).toBeGreaterThan(8);
    for (const code of codes) expect(source, code).toContain(`"${code}"`);
  });
});
