/**
 * A tiny browser app that depends on the built package the way an npm user's app does
 * (node_modules/communication-identity → this repo, node_modules/communication-identity-emulator →
 * its emulator/ package, each resolved through its exports map).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");

export const appSource = `import { CommunicationIdentityClient } from "communication-identity";

const client = new CommunicationIdentityClient("endpoint=http://127.0.0.1:8088/;accesskey=a2V5", { allowInsecureConnection: true });
document.querySelector("button")?.addEventListener("click", async () => {
  const { user, token } = await client.createUserAndToken(["chat"]);
  document.body.append(user.communicationUserId, token);
});
`;

export interface ConsumerApp {
  dir: string;
  entry: string;
  remove(): void;
}

export function createConsumerApp(source = appSource): ConsumerApp {
  const dir = mkdtempSync(join(tmpdir(), "ci-browser-app-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repoRoot, join(dir, "node_modules", "communication-identity"), "dir");
  symlinkSync(join(repoRoot, "emulator"), join(dir, "node_modules", "communication-identity-emulator"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "browser-app", private: true, type: "module" }));
  writeFileSync(join(dir, "app.js"), source);
  writeFileSync(join(dir, "index.html"), '<!doctype html><button>go</button><script type="module" src="./app.js"></script>\n');
  return { dir, entry: join(dir, "app.js"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Node-isms in bundled code: `node:` specifiers, Buffer, require(), and any use of `process` other
 * than a guarded probe (`globalThis.process?.…`, `typeof process`), which is how isomorphic
 * libraries feature-detect Node and is harmless in a browser.
 */
export function nodeIsms(bundled: string): string[] {
  // Comments may mention Node freely; only code counts. (`://` is kept so URLs are not cut.)
  const code = bundled.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  const found: string[] = [];
  for (const match of code.matchAll(/["']node:[a-z_/]+["']|\bBuffer\b|\brequire\s*\(|\bprocess\b/g)) {
    const before = code.slice(Math.max(0, match.index - 11), match.index);
    const after = code.slice(match.index + match[0].length, match.index + match[0].length + 2);
    if (match[0] === "process" && ((before.endsWith("globalThis.") && after === "?.") || before.endsWith("typeof "))) continue;
    found.push(code.slice(Math.max(0, match.index - 40), match.index + 40).replace(/\s+/g, " "));
  }
  return found;
}

/** Packages that only appear when a bundler polyfills Node built-ins. */
export const polyfillPackages = /node_modules\/(buffer|process|stream-browserify|stream-http|https-browserify|browserify-zlib|crypto-browserify|util|events|path-browserify|url|os-browserify|node-stdlib-browser|vite-plugin-node-polyfills)\//;
