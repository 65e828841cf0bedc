/**
 * The HTTPS emulator's certificate for the browser tests. Chromium's launch flags are fixed when
 * vitest reads its config, before globalSetup starts the emulator, so the config makes the
 * certificate, pins its key in Chromium (`--ignore-certificate-errors-spki-list`) and hands it to
 * globalSetup, which runs in the same Node process. The private key never goes to the browser.
 */
import { createLocalCertificate } from "communication-identity-emulator";
import { spkiSha256 } from "./chromium.js";

export interface EmulatorTls {
  cert: string;
  key: string;
  /** Base64 SHA-256 of the certificate's public key, for Chromium's SPKI allow-list. */
  spki: string;
}

const handoff = Symbol.for("communication-identity.browser-tests.tls");

/** Made once per process: vitest may evaluate its config more than once, and the pin must match. */
export async function createEmulatorTls(): Promise<EmulatorTls> {
  const existing = takeEmulatorTls();
  if (existing !== undefined) return existing;
  const { cert, key } = await createLocalCertificate();
  const tls = { cert, key, spki: spkiSha256(cert) };
  (globalThis as Record<symbol, unknown>)[handoff] = tls;
  return tls;
}

/** The certificate the config made; undefined if globalSetup runs without that config. */
export function takeEmulatorTls(): EmulatorTls | undefined {
  return (globalThis as Record<symbol, unknown>)[handoff] as EmulatorTls | undefined;
}
