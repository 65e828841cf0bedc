import { existsSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findLeak, findSamples, formatResult, isBuildCurrent, linkPackage, main, runSample, runSamples } from "../../scripts/runSamples.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "run-samples-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const full = join(root, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, text);
  return full;
}

describe("findSamples", () => {
  it("lists TypeScript samples under src/ and JavaScript samples, without the shared env helper", () => {
    for (const file of ["samples/v1/typescript/src/b.ts", "samples/v1/typescript/src/a.ts", "samples/v1/typescript/src/env.ts", "samples/v1/typescript/src/notes.md"]) write(file, "");
    for (const file of ["samples/v1/javascript/a.js", "samples/v1/javascript/env.js", "samples/v1/javascript/package.json"]) write(file, "");
    expect(findSamples(root).map((sample) => sample.name)).toEqual(["typescript/a.ts", "typescript/b.ts", "javascript/a.js"]);
    expect(findSamples(root)[0].folder).toBe(join(root, "samples/v1/typescript"));
  });
});

describe("runSample", () => {
  const sampleAt = (file: string, language: "javascript" | "typescript" = "javascript") => ({ language, name: file, folder: root, file: join(root, file) });

  it("passes on exit 0 and summarizes with the last line printed", async () => {
    write("ok.js", 'console.log("first"); console.log("Created user 8:acs:x");');
    const result = await runSample(sampleAt("ok.js"));
    expect(result).toMatchObject({ status: "passed", summary: "Created user 8:acs:x" });
    expect(formatResult(result)).toMatch(/^✔ ok\.js\s+\d+\.\ds {2}Created user 8:acs:x$/);
  });

  it("fails on a non-zero exit and keeps the output", async () => {
    write("bad.js", 'console.error("boom"); process.exit(3);');
    const result = await runSample(sampleAt("bad.js"));
    expect(result).toMatchObject({ status: "failed", summary: "exited with 3" });
    expect(result.output).toContain("boom");
  });

  it("runs TypeScript through tsx from the sample's folder", async () => {
    write("typed.ts", 'const where: string = process.cwd(); console.log(`cwd ${where}`);');
    const result = await runSample(sampleAt("typed.ts", "typescript"));
    expect(result).toMatchObject({ status: "passed", summary: `cwd ${realpathSync(root)}` });
  });

  it("reports a sample that says Skipped: as skipped", async () => {
    write("skip.js", 'console.log("Skipped: needs COMMUNICATION_TEAMS_USER_AAD_TOKEN");');
    expect((await runSample(sampleAt("skip.js"))).status).toBe("skipped");
  });

  it("kills and fails a sample that runs past its timeout", async () => {
    write("hang.js", "setInterval(() => {}, 1000);");
    const result = await runSample(sampleAt("hang.js"), { timeoutMs: 500 });
    expect(result).toMatchObject({ status: "failed", summary: "timed out after 0.5s" });
  });

  it("fails a sample that prints a whole token or a configured secret, even with exit 0", async () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJza3lwZWlkIjoiYWNzOngifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    write("leak.js", `console.log(${JSON.stringify(jwt)});`);
    expect(await runSample(sampleAt("leak.js"))).toMatchObject({ status: "failed", summary: "printed a whole access token" });
    write("key.js", 'console.log("key", process.env.COMMUNICATION_ACCESS_KEY);');
    const env = { ...process.env, COMMUNICATION_ACCESS_KEY: "c2VjcmV0LWtleS12YWx1ZQ==" };
    expect(await runSample(sampleAt("key.js"), { env })).toMatchObject({ status: "failed", summary: "printed COMMUNICATION_ACCESS_KEY" });
  });

  it("runs samples two at a time and returns results in the samples' order", async () => {
    const files = ["s1.js", "s2.js", "s3.js"].map((file, index) => {
      write(file, `setTimeout(() => console.log("done ${index}"), ${300 - index * 100});`);
      return sampleAt(file);
    });
    const finished: string[] = [];
    const results = await runSamples(files, { concurrency: 2, onResult: (result) => finished.push(result.sample.name) });
    expect(results.map((result) => result.summary)).toEqual(["done 0", "done 1", "done 2"]);
    expect(finished).toHaveLength(3);
    expect(finished[0]).toBe("s2.js"); // s1 and s2 start together; s2 is shorter
  });
});

describe("findLeak", () => {
  it("finds the access key inside COMMUNICATION_CONNECTION_STRING", () => {
    const env = { COMMUNICATION_CONNECTION_STRING: "endpoint=https://x.communication.azure.com/;accesskey=a2V5LWJ5dGVz" };
    expect(findLeak("the key is a2V5LWJ5dGVz", env)).toBe("printed the access key");
    expect(findLeak("Using the resource at https://x.communication.azure.com/", env)).toBeUndefined();
  });
});

describe("linkPackage", () => {
  it("links node_modules/communication-identity to the package, relatively, and keeps a good link", () => {
    const folder = join(root, "samples/v1/javascript");
    mkdirSync(folder, { recursive: true });
    linkPackage(folder, root);
    const link = join(folder, "node_modules/communication-identity");
    expect(readlinkSync(link)).toBe(join("..", "..", "..", ".."));
    expect(realpathSync(link)).toBe(realpathSync(root));
    linkPackage(folder, root);
    expect(realpathSync(link)).toBe(realpathSync(root));
    expect(existsSync(join(folder, "node_modules/communication-identity-emulator"))).toBe(false);
  });

  it("links node_modules/communication-identity-emulator to emulator/ when the repository has that package", () => {
    write("emulator/package.json", "{}");
    const folder = join(root, "samples/v1/typescript");
    mkdirSync(folder, { recursive: true });
    linkPackage(folder, root);
    const link = join(folder, "node_modules/communication-identity-emulator");
    expect(readlinkSync(link)).toBe(join("..", "..", "..", "..", "emulator"));
    expect(realpathSync(link)).toBe(realpathSync(join(root, "emulator")));
  });

  it("replaces a dangling link and refuses to touch a real directory", () => {
    const folder = join(root, "sample");
    mkdirSync(join(folder, "node_modules"), { recursive: true });
    symlinkSync(join(root, "missing"), join(folder, "node_modules/communication-identity"));
    linkPackage(folder, root);
    expect(realpathSync(join(folder, "node_modules/communication-identity"))).toBe(realpathSync(root));

    const other = join(root, "other");
    mkdirSync(join(other, "node_modules/communication-identity"), { recursive: true });
    expect(() => linkPackage(other, root)).toThrow(/exists and is not a link to this repository/);
  });
});

describe("isBuildCurrent", () => {
  it("is false when an output is missing or older than a source file", () => {
    const outputs = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "emulator/dist/index.js", "emulator/dist/index.d.ts", "emulator/dist/cli.js"];
    const source = write("emulator/src/server.ts", "");
    expect(isBuildCurrent(root)).toBe(false);
    const past = new Date(Date.now() - 60_000);
    utimesSync(source, past, past);
    for (const output of outputs) write(output, "");
    expect(isBuildCurrent(root)).toBe(true);
    const future = new Date(Date.now() + 60_000);
    utimesSync(source, future, future);
    expect(isBuildCurrent(root)).toBe(false);
  });
});

describe("main (npm run samples)", () => {
  // A repo with a current build (outputs newer than src/) and three samples, one of them failing.
  function fakeRepo() {
    const past = new Date(Date.now() - 60_000);
    utimesSync(write("src/index.ts", ""), past, past);
    for (const output of ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "emulator/dist/index.js", "emulator/dist/index.d.ts", "emulator/dist/cli.js"]) write(output, "");
    write("samples/v1/typescript/src/works.ts", 'const done: string = "worked"; console.log(done);');
    write("samples/v1/javascript/works.js", 'console.log("worked");');
    write("samples/v1/javascript/breaks.js", 'throw new Error("broken sample");');
  }

  it("prints one line per sample and a total, and exits 1 when a sample fails", async () => {
    fakeRepo();
    const lines: string[] = [];
    expect(await main([], root, (line) => lines.push(line))).toBe(1);
    const verdicts = lines.filter((line) => /^[✔✘-] /.test(line)).map((line) => line.split(/\s+/).slice(0, 2).join(" "));
    expect(verdicts.sort()).toEqual(["✔ javascript/works.js", "✔ typescript/works.ts", "✘ javascript/breaks.js"]);
    expect(lines.join("\n")).toContain("broken sample");
    expect(lines.at(-1)).toMatch(/^3 samples: 2 passed, 0 skipped, 1 failed \(\d+\.\ds\)\.$/);
    expect(realpathSync(join(root, "samples/v1/javascript/node_modules/communication-identity"))).toBe(realpathSync(root));
  });

  it("exits 0 when every selected sample passes, and 1 when a filter matches none", async () => {
    fakeRepo();
    const lines: string[] = [];
    expect(await main(["works"], root, (line) => lines.push(line))).toBe(0);
    expect(lines.at(-1)).toMatch(/^2 samples: 2 passed/);
    expect(await main(["nothing-like-this"], root, () => {})).toBe(1);
  });
});
