// Where a client's time goes: `npx tsx bench/profile.ts [official|ours|floor] [getToken|createUserAndToken]`
// runs the same child as the benchmark (32 in flight, after warm-up) under `node --cpu-prof`
// against the canned server, then prints the top self-time functions and the share per package.
// `npx tsx bench/profile.ts emulator` does the same for emulator/dist under 64 signed requests in flight.
// The .cpuprofile stays in bench/.tmp/prof/ (open it in Chrome DevTools → Performance).
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchDir, repoRoot, runNodeChild, startCannedServerChild, startEmulatorChild } from "./children.js";
import { createFloorClient, parseBenchConnectionString } from "./floorClient.mjs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Who owns the code: an npm package, node internals, V8 (GC, idle, program). */
  owner: string;
  where: string;
  selfMs: number;
  share: number;
}

/** Groups a URL under its npm package, "node:" internals or "(app)". */
export function ownerOf(url: string): string {
  if (!url) return "(native / V8)";
  if (url.startsWith("node:")) return "node internals";
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.includes("/dist/")) return "communication-identity (dist)";
  return url.includes("/bench/") ? "bench harness" : "(other)";
}

/** Self time per function (ms) from a V8 .cpuprofile, largest first. */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, { name: string; owner: string; where: string; us: number }>();
  let all = 0;
  profile.samples.forEach((nodeId, index) => {
    const node = byNode.get(nodeId);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!node) return;
    all += delta;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/work\/main\//, "")}:${lineNumber + 1}` : "";
    const key = `${functionName}@${where}`;
    const owner = functionName.startsWith("(") && !url ? functionName : ownerOf(url);
    const entry = totals.get(key) ?? { name: functionName || "(anonymous)", owner, where, us: 0 };
    entry.us += delta;
    totals.set(key, entry);
  });
  return [...totals.values()]
    .map((entry) => ({ name: entry.name, owner: entry.owner, where: entry.where, selfMs: entry.us / 1000, share: all ? entry.us / all : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/** Runs one client child (32 in flight after warm-up) under --cpu-prof against the canned server. */
async function profileClient(which: string, op: string, profDir: string) {
  const accessKey = randomBytes(32).toString("base64");
  const server = await startCannedServerChild();
  try {
    const config = { which, op, warmup: 3000, phases: [{ inFlight: 32, ops: 5000 }], endpoint: `http://127.0.0.1:${server.port}/` };
    await runNodeChild(join(benchDir, "clientWorker.mjs"), [JSON.stringify(config)], {
      nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profDir}`],
      env: { BENCH_ACCESS_KEY: accessKey },
      secrets: [accessKey],
      timeoutMs: 120_000,
    });
  } finally {
    await server.stop();
  }
}

/** Runs the built emulator under --cpu-prof and loads it with signed issueAccessToken, 64 in flight, for 5 s. */
async function profileEmulator(profDir: string) {
  const emulatorEntry = join(repoRoot, "emulator", "dist", "index.js");
  const emulator = await startEmulatorChild(emulatorEntry, [], ["--cpu-prof", `--cpu-prof-dir=${profDir}`]);
  try {
    const { endpoint, accessKey } = parseBenchConnectionString(emulator.connectionString);
    const client = createFloorClient({ endpoint, accessKey, apiVersion: "2025-03-02-preview" });
    const user = await client.createUser();
    const deadline = performance.now() + 5000;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (performance.now() < deadline) await client.getToken(user, ["chat", "voip"]);
      }),
    );
    client.close();
  } finally {
    await emulator.stop();
  }
}

async function main() {
  const [which = "official", op = "getToken"] = process.argv.slice(2);
  const profDir = join(benchDir, ".tmp", "prof");
  rmSync(profDir, { recursive: true, force: true });
  mkdirSync(profDir, { recursive: true });
  if (which === "emulator") await profileEmulator(profDir);
  else await profileClient(which, op, profDir);
  const file = readdirSync(profDir).find((name) => name.endsWith(".cpuprofile"));
  if (!file) throw new Error("no .cpuprofile written");
  const profile = JSON.parse(readFileSync(join(profDir, file), "utf8")) as CpuProfile;
  const rows = selfTimes(profile);
  const what = which === "emulator" ? "emulator, issueAccessToken at 64 in flight" : `${which} ${op}, 32 in flight`;
  console.log(`${what} (whole process incl. import and warm-up): ${join(profDir, file)}\n`);
  console.log("top self time:");
  for (const row of rows.slice(0, 30)) {
    console.log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.selfMs.toFixed(0).padStart(6)} ms  ${row.name}  ${row.where}`);
  }
  const byOwner = new Map<string, number>();
  for (const row of rows) byOwner.set(row.owner, (byOwner.get(row.owner) ?? 0) + row.share);
  console.log("\nshare by owner:");
  for (const [owner, share] of [...byOwner].sort((a, b) => b[1] - a[1])) console.log(`  ${(share * 100).toFixed(1).padStart(5)}%  ${owner}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
