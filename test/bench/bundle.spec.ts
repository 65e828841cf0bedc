import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bytesByPackage, measureBundle } from "../../bench/bundle.js";

describe("bytesByPackage", () => {
  it("sums a metafile's inputs per npm package, largest first, dropping empty ones", () => {
    expect(
      bytesByPackage({
        "node_modules/@azure/core-util/dist/browser/a.js": { bytesInOutput: 10 },
        "node_modules/@azure/core-util/dist/browser/b.js": { bytesInOutput: 5 },
        "../../node_modules/tslib/tslib.es6.mjs": { bytesInOutput: 20 },
        "dist/browser/index.js": { bytesInOutput: 30 },
        "node_modules/@azure/logger/index.js": { bytesInOutput: 0 },
      }),
    ).toEqual([
      ["dist/browser/index.js", 30],
      ["tslib", 20],
      ["@azure/core-util", 15],
    ]);
  });
});

describe("measureBundle", () => {
  it("bundles the official app for the browser, gzips it and keeps the metafile", async () => {
    const size = await measureBundle("official", mkdtempSync(join(tmpdir(), "bench-bundle-")));
    expect(size.minifiedBytes).toBeGreaterThan(20_000);
    expect(size.gzipBytes).toBeLessThan(size.minifiedBytes / 2);
    expect(existsSync(size.metafilePath)).toBe(true);
    expect(size.byPackage.map(([name]) => name)).toContain("@azure/communication-identity");
    expect(size.byPackage.reduce((sum, [, bytes]) => sum + bytes, 0)).toBeLessThanOrEqual(size.minifiedBytes);
  });
});
