import { readdirSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { imports: Record<string, Record<string, string>> };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

describe("platform twins (package.json imports)", () => {
  const twins = Object.entries(manifest.imports);

  it("each name a browser and a default file that exist", () => {
    expect(twins.length).toBeGreaterThan(0);
    for (const [name, conditions] of twins) {
      expect(name).toMatch(/^#platform\//);
      expect(Object.keys(conditions)).toContain("browser");
      expect(Object.keys(conditions).at(-1)).toBe("default");
      for (const target of Object.values(conditions)) expect(() => readFileSync(join(repoRoot, target))).not.toThrow();
    }
  });

  it("are imported through #platform/… only, so no build can pick the wrong one", () => {
    // A value import of a twin by relative path would give every build the Node file.
    const twinFiles = new Set(twins.flatMap(([, conditions]) => Object.values(conditions).map((target) => basename(target, ".ts"))));
    const offenders: string[] = [];
    for (const file of sourceFiles(join(repoRoot, "src"))) {
      for (const match of readFileSync(file, "utf8").matchAll(/^import\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)\.js";/gms)) {
        if (!match[1] && twinFiles.has(basename(match[2]))) offenders.push(`${relative(repoRoot, file)} imports ${match[2]}.js`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
