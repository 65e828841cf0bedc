// Browser build: Web Crypto (asynchronous), called directly: core-util's helpers would bring its whole
// bytes-encoding module along for two base64 conversions. Same error as core-util's without Web Crypto.

let subtle: SubtleCrypto | undefined;

function subtleCrypto(): SubtleCrypto {
  subtle ??= globalThis.crypto?.subtle;
  if (!subtle) throw new Error("Your browser environment does not support cryptography functions.");
  return subtle;
}

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);
const toBase64 = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** SHA-256 of UTF-8 text, base64. */
export async function computeSha256Hash(content: string, _encoding: "base64"): Promise<string> {
  return toBase64(await subtleCrypto().digest("SHA-256", utf8(content)));
}

/** HMAC-SHA256 of UTF-8 text under a base64 key, base64. */
export async function computeSha256Hmac(key: string, stringToSign: string, _encoding: "base64"): Promise<string> {
  const crypto = subtleCrypto();
  const keyBytes = Uint8Array.from(atob(key), (char) => char.charCodeAt(0));
  const cryptoKey = await crypto.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toBase64(await crypto.sign("HMAC", cryptoKey, utf8(stringToSign)));
}
