import { defineConfig } from "tsup";
import { fileURLToPath } from "node:url";

// Node and browser builds differ in one module: the HTTP transport. The browser build swaps
// `transport/createHttpClient` for its `-browser` twin so no `node:` import reaches a bundle.
const browserTransport = fileURLToPath(new URL("./src/transport/createHttpClient-browser.ts", import.meta.url));

export default defineConfig([
  {
    entry: { index: "src/index.ts", "emulator/index": "src/emulator/index.ts", "emulator/cli": "src/emulator/cli.ts" },
    format: ["esm", "cjs"],
    platform: "node",
    target: "node20",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
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
        name: "browser-transport",
        setup(build) {
          build.onResolve({ filter: /transport\/createHttpClient\.js$/ }, () => ({ path: browserTransport }));
        },
      },
    ],
  },
]);
