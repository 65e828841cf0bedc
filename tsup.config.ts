import { defineConfig } from "tsup";

// Node and browser builds differ in a few modules, each declared once in package.json "imports"
// (`#platform/…` with "browser" and "default" conditions); esbuild picks the "browser" twin for
// platform "browser": the HTTP transport (so no `node:` import reaches a bundle), the loader of the
// client's core-dependent half (Node loads it on first use; a bundle keeps it inline and tree-shaken),
// the Node-only proxy/TLS/decompression policies (core's browser versions of them only throw), the
// SHA-256 digests (synchronous node:crypto in Node, Web Crypto through core-util in browsers) and
// RestError (Node ESM loads just its module; the browser and CommonJS builds import it from core).
// The CommonJS build adds the "communication-identity-cjs" condition: it cannot use top-level await.

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    platform: "node",
    target: "node20",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    outDir: "dist",
    esbuildOptions(options, { format }) {
      if (format === "cjs") options.conditions = [...(options.conditions ?? []), "communication-identity-cjs"];
    },
  },
  {
    entry: { index: "src/index.ts" },
    format: ["esm"],
    platform: "browser",
    target: "es2022",
    dts: false,
    sourcemap: true,
    splitting: false,
    treeshake: true,
    outDir: "dist/browser",
  },
]);
