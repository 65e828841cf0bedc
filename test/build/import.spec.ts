import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/ensureBuilt.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const dist = join(repoRoot, "dist");
const KEY = "YnVpbGQtdGVzdC1rZXk=";
let consumerDir: string;
let server: Server;
let port: number;
const requests: Array<{ method?: string; url?: string; userAgent?: string }> = [];

beforeAll(async () => {
  ensureBuilt();
  // A consumer project that resolves "communication-identity" through the package's exports.
  consumerDir = mkdtempSync(join(tmpdir(), "ci-consumer-"));
  mkdirSync(join(consumerDir, "node_modules"));
  symlinkSync(repoRoot, join(consumerDir, "node_modules", "communication-identity"), "dir");

  server = createServer((request, response) => {
    requests.push({ method: request.method, url: request.url, userAgent: request.headers["user-agent"] });
    request.resume();
    request.on("end", () => {
      response.writeHead(201, { "content-type": "application/json" });
      response.end(JSON.stringify({ identity: { id: "8:acs:built" } }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  port = (server.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  rmSync(consumerDir, { recursive: true, force: true });
  await new Promise<void>((done) => server.close(() => done()));
});

async function runNode(file: string, source: string): Promise<string> {
  writeFileSync(join(consumerDir, file), source);
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: consumerDir, timeout: 10_000 });
  return stdout.trim();
}

const script = (load: string) => `${load}
const client = new CommunicationIdentityClient("endpoint=http://127.0.0.1:${"PORT"};accesskey=${KEY}", { allowInsecureConnection: true });
client.createUser().then((user) => console.log(typeof CommunicationIdentityClient, user.communicationUserId));
`;

describe("the built package", () => {
  it("loads with ESM import through the exports map and sends a request", async () => {
    const output = await runNode(
      "esm.mjs",
      script('import { CommunicationIdentityClient } from "communication-identity";').replace("PORT", String(port)),
    );
    expect(output).toBe("function 8:acs:built");
    expect(requests.at(-1)).toMatchObject({ method: "POST", url: "/identities?api-version=2026-09-23" });
    expect(requests.at(-1)?.userAgent).toMatch(/^azsdk-js-communication-identity\/\d+\.\d+\.\d+/);
  });

  it("loads with CommonJS require through the exports map and sends a request", async () => {
    const output = await runNode(
      "cjs.cjs",
      script('const { CommunicationIdentityClient } = require("communication-identity");').replace("PORT", String(port)),
    );
    expect(output).toBe("function 8:acs:built");
  });

  it("the browser build imports no Node built-in", () => {
    const browser = readFileSync(join(dist, "browser", "index.js"), "utf8");
    expect(browser).not.toMatch(/from\s+["']node:/);
    expect(browser).not.toMatch(/require\(["']node:/);
    expect(browser).not.toMatch(/from\s+["'](http|https|zlib|stream|net|tls|fs|crypto)["']/);
  });

  it.each(["browser", "node"] as const)("leaves the access client and its operations out of an identity-only app (esbuild, platform %s)", async (platform) => {
    // The root exports both clients; an app that imports only CommunicationIdentityClient must not carry the other.
    writeFileSync(join(consumerDir, "identityOnly.mjs"), 'import { CommunicationIdentityClient } from "communication-identity";\nexport const client = new CommunicationIdentityClient("endpoint=https://x.communication.azure.com;accesskey=a2V5");\n');
    const result = await build({ entryPoints: [join(consumerDir, "identityOnly.mjs")], absWorkingDir: consumerDir, bundle: true, platform, format: "esm", write: false, logLevel: "silent" });
    const code = result.outputFiles.map((file) => file.text).join("\n");
    expect(code).toContain("/identities/{id}/:issueAccessToken");
    for (const marker of ["/access/teamsExtension/", "/access/entra/", "CommunicationAccess"]) expect(code).not.toContain(marker);
  });

  it("does not read package.json at runtime", () => {
    for (const file of [join(dist, "index.js"), join(dist, "index.cjs"), join(dist, "browser", "index.js")]) {
      expect(readFileSync(file, "utf8")).not.toContain("package.json");
    }
  });
});
