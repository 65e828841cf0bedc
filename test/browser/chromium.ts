/**
 * Where the browser tests find Chromium and how they launch it. Node-only: used by vitest.config.ts
 * (browser project) and by the sample page test (playwright-core).
 */
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";

/** Flags for a headless system Chromium in a container (no sandbox, no GPU, no background traffic). */
export const chromiumArgs = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"];

/** The one line printed when browser tests cannot run. */
export const chromiumInstallHint =
  "Browser tests skipped: Chromium not found. Install it (Debian/Ubuntu: `sudo apt-get install -y chromium`) or set CHROMIUM_PATH.";

/** Why a CI run stops when Chromium is missing. */
export const chromiumRequiredInCi =
  "CI=true and Chromium is missing, so the browser tests cannot run. Install it (Debian/Ubuntu: `apt-get install -y chromium`) or set CHROMIUM_PATH.";

/** `CHROMIUM_PATH`, else `/usr/bin/chromium`, else `chromium`/`chromium-browser` on the PATH. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const found = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
      if (found) return found;
    } catch {
      // not on the PATH
    }
  }
  return undefined;
}

/**
 * Base64 SHA-256 of a certificate's SubjectPublicKeyInfo: the value Chromium's
 * `--ignore-certificate-errors-spki-list` takes, so it trusts exactly this certificate and no other.
 */
export function spkiSha256(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}
