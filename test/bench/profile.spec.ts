import { describe, expect, it } from "vitest";
import { ownerOf, selfTimes } from "../../bench/profile.js";

describe("ownerOf", () => {
  it("names the npm package, scoped or not, node internals and native code", () => {
    expect(ownerOf("file:///work/main/node_modules/@azure/core-client/dist/esm/serializer.js")).toBe("@azure/core-client");
    expect(ownerOf("file:///x/node_modules/tslib/tslib.js")).toBe("tslib");
    expect(ownerOf("node:_http_client")).toBe("node internals");
    expect(ownerOf("")).toBe("(native / V8)");
    expect(ownerOf("file:///work/main/dist/index.js")).toBe("communication-identity (dist)");
  });
});

describe("selfTimes", () => {
  it("sums sample time per function and sorts by it", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
    const rows = selfTimes({
      nodes: [
        { id: 1, callFrame: frame("(garbage collector)", "") },
        { id: 2, callFrame: frame("serialize", "file:///m/node_modules/@azure/core-client/dist/esm/serializer.js") },
      ],
      samples: [2, 1, 2, 2],
      timeDeltas: [1000, 3000, 500, 500],
    });
    expect(rows.map((row) => [row.name, row.owner, row.selfMs, row.share])).toEqual([
      ["(garbage collector)", "(garbage collector)", 3, 0.6],
      ["serialize", "@azure/core-client", 2, 0.4],
    ]);
    expect(rows[1].where).toBe("@azure/core-client/dist/esm/serializer.js:10");
  });
});
