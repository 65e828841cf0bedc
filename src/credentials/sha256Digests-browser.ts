// Browser build: core-util's Web Crypto versions (asynchronous there).
export { computeSha256Hash, computeSha256Hmac } from "@azure/core-util";
