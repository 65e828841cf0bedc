import { defineConfig } from "tsup";
import { fileURLToPath } from "node:url";

// Node and browser builds differ in four modules, each swapped for its `-browser` twin in the browser
// build: the HTTP transport (so no `node:` import reaches a bundle), the loader of the client's
// core-dependent half (Node loads it on first use; a bundle keeps it inline and tree-shaken), the
// Node-only proxy/TLS/decompression policies (core's browser versions of them only throw) and the
// SHA-256 digests (synchronous node:crypto in Node, Web Crypto through core-util in browsers).
const browserTwins = [
  { filter: /transport\/createHttpClient\.js$/, path: "./src/transport/createHttpClient-browser.ts" },
  { filter: /\/loadClientRuntime\.js$/, path: "./src/pipeline/loadClientRuntime-browser.ts" },
  { filter: /\/addPlatformPolicies\.js$/, path: "./src/pipeline/addPlatformPolicies-browser.ts" },
  { filter: /\/sha256Digests\.js$/, path: "./src/credentials/sha256Digests-browser.ts" },
].map(({ filter, path }) => ({ filter, path: fileURLToPath(new URL(path, import.meta.url)) }));

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
    esbuildPlugins: [
      {
        name: "browser-twins",
        setup(build) {
          for (const { filter, path } of browserTwins) build.onResolve({ filter }, () => ({ path }));
        },
      },
    ],
  },
]);
