import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSamples, repoRoot } from "../../scripts/runSamples.js";
import { typeCheckProject } from "../helpers/typeCheck.js";
import { stageSamples, type StagedSamples } from "./stagedSamples.js";

// The scenarios the samples promise (issue "Samples, the main job and the docs"), in both languages.
const SCENARIOS = [
  "authenticateWithAccessKey",
  "authenticateWithConnectionString",
  "authenticateWithTokenCredential",
  "createUser",
  "createUserAndToken",
  "createUserWithCustomId",
  "deleteUser",
  "getToken",
  "getTokenForTeamsUser",
  "getTokenWithCustomExpiration",
  "grantEntraAccess",
  "grantTeamsPhoneAccess",
  "logging",
  "manageEntraAssignments",
  "refreshToken",
  "revokeTokens",
];
const samplesDir = join(repoRoot, "samples/v1");
const samples = findSamples();
const scenariosOf = (language: string) => samples.filter((sample) => sample.language === language).map((sample) => sample.name.replace(/^\w+\/|\.\w+$/g, ""));

describe("sample inventory", () => {
  it.each(["typescript", "javascript"])("%s has one sample per scenario", (language) => {
    expect(scenariosOf(language)).toEqual(SCENARIOS);
  });

  it.each(["typescript", "javascript"])("%s samples import the package by its name and stay short", (language) => {
    for (const sample of samples.filter((candidate) => candidate.language === language)) {
      const source = readFileSync(sample.file, "utf8");
      expect(source, sample.name).toMatch(/from "(communication-identity|\.\/env\.js)"/);
      expect(source, sample.name).not.toMatch(/from "\.\.\/|\/src\/|\/dist\//);
      expect(source.split("\n").length, sample.name).toBeLessThanOrEqual(40);
    }
  });

  it.each(["typescript", "javascript"])("%s README lists every sample with its purpose and environment", (language) => {
    const readme = readFileSync(join(samplesDir, language, "README.md"), "utf8");
    for (const sample of samples.filter((candidate) => candidate.language === language)) {
      const file = sample.name.replace(/^\w+\//, language === "typescript" ? "src/" : "");
      expect(readme, file).toMatch(new RegExp(`^\\| \\[${file.replace(/\./g, "\\.")}\\]\\(${file.replace(/\./g, "\\.")}\\) \\| [^|]+ \\| [^|]+ \\|$`, "m"));
    }
    expect(readme).toContain("npm install");
    expect(readme).toContain(language === "typescript" ? "npx tsx src/createUserAndToken.ts" : "node createUserAndToken.js");
  });

  it.each(["typescript", "javascript"])("%s package.json depends on the repo through file:../../.. and lists what the samples import", (language) => {
    const manifest = JSON.parse(readFileSync(join(samplesDir, language, "package.json"), "utf8"));
    expect(manifest.dependencies["communication-identity"]).toBe("file:../../..");
    const imported = new Set<string>();
    for (const sample of samples.filter((candidate) => candidate.language === language)) {
      for (const [, name] of readFileSync(sample.file, "utf8").matchAll(/from "((?:@[\w-]+\/)?[\w-]+)/g)) imported.add(name);
    }
    const helper = readFileSync(join(samplesDir, language, language === "typescript" ? "src/env.ts" : "env.js"), "utf8");
    for (const [, name] of helper.matchAll(/(?:from |import\()"((?:@[\w-]+\/)?[\w-]+)/g)) imported.add(name);
    imported.add("dotenv");
    for (const name of imported) {
      if (name === "node" || name.startsWith("node:")) continue;
      expect(Object.keys(manifest.dependencies), name).toContain(name);
    }
  });

  it.each(["typescript", "javascript"])("%s sample.env documents every setting the samples read", (language) => {
    const sampleEnv = readFileSync(join(samplesDir, language, "sample.env"), "utf8");
    const read = new Set<string>();
    const sources = [...samples.filter((s) => s.language === language).map((s) => s.file), join(samplesDir, language, language === "typescript" ? "src/env.ts" : "env.js")];
    for (const file of sources) {
      for (const [, name] of readFileSync(file, "utf8").matchAll(/(?:process\.env\.|setting\(")(\w+)/g)) read.add(name);
    }
    expect(read.size).toBeGreaterThan(5);
    for (const name of read) expect(sampleEnv, name).toMatch(new RegExp(`^${name}=$`, "m"));
  });
});

describe("TypeScript samples", () => {
  let staged: StagedSamples;
  beforeAll(async () => {
    staged = await stageSamples();
  }, 60_000);
  afterAll(() => staged?.remove());

  it("type-check against the built package's declarations", async () => {
    const stdout = await typeCheckProject(join(staged.root, "samples/v1/typescript/tsconfig.json"));
    expect(stdout.trim()).toBe("");
  }, 30_000);
});
