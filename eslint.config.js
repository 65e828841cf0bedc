import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "emulator/dist/", "docs/api/", "node_modules/", "coverage/", "samples/**/node_modules/", "samples/**/dist/", "bench/.tmp/", "test-results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly", process: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly",
        clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", fetch: "readonly",
        AbortController: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", document: "readonly",
        window: "readonly", crypto: "readonly", performance: "readonly", globalThis: "readonly", setImmediate: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  { files: ["**/*.js", "**/*.cjs", "**/*.mjs"], rules: { "@typescript-eslint/no-require-imports": "off" } },
);
