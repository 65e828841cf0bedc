import { afterEach, describe, expect, it } from "vitest";
import { startIdentityEmulator, type IdentityEmulator } from "../src/index.js";
import { rawRequest, signedRequest, verifyToken } from "../../test/helpers/emulatorSigner.js";

const STABLE = "api-version=2023-10-01";
let emulator: IdentityEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(now?: () => Date): Promise<IdentityEmulator> {
  emulator = await startIdentityEmulator({ port: 0, now });
  return emulator;
}


async function userAndToken(e: IdentityEmulator, date?: Date): Promise<{ id: string; token: string }> {
  const res = await signedRequest(e, "POST", `/identities?${STABLE}`, { body: { createTokenWithScopes: ["chat", "voip"] }, date });
  return { id: res.json.identity.id, token: res.json.accessToken.token };
}

const issue = async (e: IdentityEmulator, id: string, date?: Date) =>
  (await signedRequest(e, "POST", `/identities/${encodeURIComponent(id)}/:issueAccessToken?${STABLE}`, { body: { scopes: ["chat"] }, date })).json
    .token as string;
const revoke = (e: IdentityEmulator, id: string, date?: Date) =>
  signedRequest(e, "POST", `/identities/${encodeURIComponent(id)}/:revokeAccessTokens?${STABLE}`, { date });

describe("POST /_emulator/tokens:verify", () => {
  it("reports a fresh token valid with its identity, scopes and expiry", async () => {
    const e = await start();
    const { id, token } = await userAndToken(e);
    expect(await verifyToken(e, token)).toEqual({ valid: true, identity: id, scopes: ["chat", "voip"], expiresOn: expect.any(String) });
  });

  it("reports malformed and badly signed tokens", async () => {
    const e = await start();
    expect(await verifyToken(e, "nope")).toEqual({ valid: false, reason: "malformed" });
    const { token } = await userAndToken(e);
    const [h, p] = token.split(".");
    expect(await verifyToken(e, `${h}.${p}.AAAA`)).toEqual({ valid: false, reason: "bad-signature" });
    const other = await startIdentityEmulator({ port: 0 });
    try {
      const foreign = await userAndToken(other);
      expect((await verifyToken(e, foreign.token)).reason).toBe("bad-signature");
    } finally {
      await other.close();
    }
  });

  it("answers a body without a token with 400", async () => {
    const e = await start();
    const res = await rawRequest(`${e.endpoint}_emulator/tokens:verify`, { method: "POST", body: "{}" });
    expect(res.status).toBe(400);
  });

  it("reports expiry against the emulator's clock", async () => {
    let clock = new Date();
    const e = await start(() => clock);
    const { token } = await userAndToken(e, clock);
    clock = new Date(clock.getTime() + 1441 * 60_000);
    expect(await verifyToken(e, token)).toMatchObject({ valid: false, reason: "expired" });
  });
});

describe("revokeAccessTokens", () => {
  it("invalidates every earlier token and none issued after", async () => {
    const e = await start();
    const { id, token } = await userAndToken(e);
    const second = await issue(e, id);
    expect((await revoke(e, id)).status).toBe(204);
    expect(await verifyToken(e, token)).toMatchObject({ valid: false, reason: "revoked", identity: id });
    expect(await verifyToken(e, second)).toMatchObject({ valid: false, reason: "revoked" });
    const after = await issue(e, id);
    expect(await verifyToken(e, after)).toMatchObject({ valid: true });
  });

  it("decides by issue order even when issue, revoke and re-issue share one millisecond", async () => {
    const frozen = new Date("2030-01-01T00:00:00.000Z");
    const e = await start(() => frozen);
    const { id, token } = await userAndToken(e, frozen);
    await revoke(e, id, frozen);
    const after = await issue(e, id, frozen);
    expect(await verifyToken(e, token)).toMatchObject({ valid: false, reason: "revoked" });
    expect(await verifyToken(e, after)).toMatchObject({ valid: true });
  });

  it("does not touch other identities' tokens", async () => {
    const e = await start();
    const a = await userAndToken(e);
    const b = await userAndToken(e);
    await revoke(e, a.id);
    expect((await verifyToken(e, b.token)).valid).toBe(true);
  });
});

describe("delete", () => {
  it("invalidates the identity's tokens as identity-deleted", async () => {
    const e = await start();
    const { id, token } = await userAndToken(e);
    const res = await signedRequest(e, "DELETE", `/identities/${encodeURIComponent(id)}?${STABLE}`);
    expect(res.status).toBe(204);
    expect(await verifyToken(e, token)).toMatchObject({ valid: false, reason: "identity-deleted", identity: id });
  });
});
