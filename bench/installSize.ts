// What installing the package costs an app: `npm pack` of this repository's SDK, installed into an
// empty app, against the official @azure/communication-identity@1.3.1 installed the same way. Counts
// the installed packages (npm's hidden lock file) and their bytes on disk, and names any certificate
// library that would come along (the emulator's, which must stay out of the SDK's install).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface InstallSize {
  /** Installed packages, the app itself not counted. */
  packages: number;
  /** Bytes of every file under the app's node_modules. */
  bytes: number;
  /** Installed packages that only a certificate or X.509 stack needs (none expected). */
  certificatePackages: string[];
}

const CERTIFICATE_PACKAGES = /^(selfsigned|node-forge|pkijs|@peculiar\/.*|asn1js|tsyringe|reflect-metadata)$/;

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(args: string[], cwd: string): string {
  return execFileSync(npm, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 180_000, shell: process.platform === "win32" });
}

function bytesUnder(directory: string): number {
  let total = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** Installs `spec` (a registry spec or a tarball path) into a fresh empty app under `directory`. */
export function measureInstall(spec: string, directory: string): InstallSize {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "package.json"), JSON.stringify({ name: "install-size-app", version: "1.0.0", private: true }));
  // --prefer-offline: the registry is asked only for what the local cache lacks.
  run(["install", spec, "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--loglevel=error"], directory);
  const lock = JSON.parse(readFileSync(join(directory, "node_modules", ".package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
  const names = Object.keys(lock.packages).map((path) => path.replace(/^.*node_modules\//, ""));
  return {
    packages: names.length,
    bytes: bytesUnder(join(directory, "node_modules")),
    certificatePackages: names.filter((name) => CERTIFICATE_PACKAGES.test(name)).sort(),
  };
}

/** `npm pack` of the package at `packageRoot` (already built: scripts are not run), into `destination`; returns the tarball's path. */
export function packPackage(packageRoot: string, destination: string): string {
  mkdirSync(destination, { recursive: true });
  const output = run(["pack", "--ignore-scripts", "--json", "--pack-destination", destination], packageRoot);
  const [{ filename }] = JSON.parse(output) as Array<{ filename: string }>;
  return join(destination, filename);
}
