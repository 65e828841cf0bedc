/**
 * The emulator's own TLS: a CA and a server certificate for 127.0.0.1/localhost, made when HTTPS is
 * asked for without a PEM. In memory they are throwaway; in a `location` they are kept (one file,
 * owner-only) and reused across restarts, so trust set up once (NODE_EXTRA_CA_CERTS, a Chromium pin)
 * survives.
 */
import { createHash, X509Certificate } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import type { generate as GenerateCertificate } from "selfsigned";

/** A server certificate for HTTPS and the CA that signed it, all PEM. */
export interface ServerCertificate {
  /** PEM of the CA that signed `cert`: what clients must trust. */
  ca: string;
  /**
   * PEM of the server certificate: `CN=localhost`, subject alternative names `localhost`, `127.0.0.1` and `::1`, an
   * EC P-256 key, valid from an hour before it was made until 397 days after.
   */
  cert: string;
  /** PEM of `cert`'s private key. */
  key: string;
}

/** The file a `location` keeps its CA, its CA key and the server certificate in. */
export const TLS_FILE = "identity-emulator-tls.json";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const CA_LIFETIME_MS = 10 * 365 * DAY_MS;
const LEAF_LIFETIME_MS = 397 * DAY_MS;
/** A kept server certificate with less than this left is renewed (same CA, so trust in the CA holds). */
const RENEW_BEFORE_MS = DAY_MS;

interface KeptTls extends ServerCertificate {
  caKey: string;
}

/**
 * Makes a new CA (valid ten years) and a server certificate it signs for `localhost`, `127.0.0.1` and `::1`, in
 * memory only (nothing is written): what an HTTPS emulator without `cert` or `location` serves. Each call makes new
 * keys. Use it to have the certificate before the emulator starts, for example to trust `ca` from a process's start
 * (`NODE_EXTRA_CA_CERTS`), or to serve one certificate from several emulators: pass `cert` and `key` to
 * {@link startIdentityEmulator} and have clients trust `ca`.
 *
 * @example
 * ```ts
 * const { ca, cert, key } = await createLocalCertificate();
 * const emulator = await startIdentityEmulator({ cert, key });
 * const client = new CommunicationIdentityClient(emulator.connectionString, { tlsOptions: { ca } });
 * ```
 */
export async function createLocalCertificate(): Promise<ServerCertificate> {
  const { ca, caKey } = await createCa(new Date());
  return { ca, ...(await createLeaf(ca, caKey, new Date())) };
}

/**
 * The certificate kept in `dir` (made and saved on first use). The server certificate is reused while
 * it has a day left, so its SPKI pin stays the same too; after that a new one is signed by the same CA.
 */
export async function localCertificateIn(dir: string, now: Date = new Date()): Promise<ServerCertificate> {
  const file = path.join(dir, TLS_FILE);
  const kept = await readKept(file);
  if (kept && validFor(kept.ca, now, RENEW_BEFORE_MS) && validFor(kept.cert, now, RENEW_BEFORE_MS)) {
    return { ca: kept.ca, cert: kept.cert, key: kept.key };
  }
  const { ca, caKey } = kept && validFor(kept.ca, now, RENEW_BEFORE_MS) ? kept : await createCa(now);
  const leaf = await createLeaf(ca, caKey, now);
  await writeOwnerOnly(file, `${JSON.stringify({ ca, caKey, ...leaf }, null, 2)}\n`);
  return { ca, ...leaf };
}

/**
 * Base64 SHA-256 of a certificate's SubjectPublicKeyInfo: what Chromium's
 * `--ignore-certificate-errors-spki-list` takes. Pin the server certificate's, not the CA's.
 */
export function spkiPin(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

async function createCa(now: Date): Promise<{ ca: string; caKey: string }> {
  const ca = await generateEc("communication-identity emulator CA", now, CA_LIFETIME_MS, {
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { ca: ca.cert, caKey: ca.private };
}

async function createLeaf(ca: string, caKey: string, now: Date): Promise<{ cert: string; key: string }> {
  const leaf = await generateEc("localhost", now, LEAF_LIFETIME_MS, {
    ca: { key: caKey, cert: ca },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { cert: leaf.cert, key: leaf.private };
}

type SelfsignedOptions = NonNullable<Parameters<typeof GenerateCertificate>[1]>;

/** An EC P-256, SHA-256 certificate for `commonName`, valid from an hour before `now` for `lifetimeMs`. */
async function generateEc(commonName: string, now: Date, lifetimeMs: number, options: Pick<SelfsignedOptions, "ca" | "extensions">) {
  // Loaded only when a certificate is made: the certificate stack costs far more to import than the HTTP server takes to start.
  const { generate } = await import("selfsigned");
  return generate([{ name: "commonName", value: commonName }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - HOUR_MS),
    notAfterDate: new Date(now.getTime() + lifetimeMs),
    ...options,
  });
}

/** The kept file, or undefined when absent or not usable (then a new one replaces it). */
async function readKept(file: string): Promise<KeptTls | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const kept = JSON.parse(text) as Partial<KeptTls>;
    const fields = [kept.ca, kept.caKey, kept.cert, kept.key];
    if (!fields.every((field) => typeof field === "string")) return undefined;
    const leaf = new X509Certificate(kept.cert!);
    // A certificate the CA did not sign (an edited file) is replaced rather than served.
    if (!leaf.verify(new X509Certificate(kept.ca!).publicKey)) return undefined;
    return kept as KeptTls;
  } catch {
    return undefined;
  }
}

function validFor(pem: string, now: Date, marginMs: number): boolean {
  const certificate = new X509Certificate(pem);
  return Date.parse(certificate.validFrom) <= now.getTime() && Date.parse(certificate.validTo) - marginMs > now.getTime();
}

async function writeOwnerOnly(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, text, { mode: 0o600 });
  await fs.rename(temporary, file);
}
