import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claimsJson, formatServiceDate, issueAccessToken, issuedTokenJson } from "../src/acsTokens.js";
import { IdentityStore } from "../src/identityStore.js";
import { signJwt, signJwtJson, verifyJwt } from "../src/jwt.js";

// The token path writes its JSON and dates from remembered parts; each must be exactly what the generic code writes.

/** What every token's claims were before: the object, through JSON.stringify. */
const claimsObject = (skypeid: string, iat: number, exp: number, acsScope: string, resourceId: string, jti: string, seq: number) => ({
  skypeid,
  scp: 1792,
  csi: String(iat),
  exp,
  rgn: "emulator",
  acsScope,
  resourceId,
  resourceLocation: "emulator",
  iat,
  jti,
  seq,
});

/** Seconds as `Math.floor(date.getTime() / 1000)` gives them, an invalid date's NaN included. */
const seconds = fc.oneof(fc.integer({ min: -8_640_000_000_000, max: 8_640_000_000_000 }), fc.constant(Number.NaN), fc.constant(-0));
const claimsArguments = fc.tuple(
  fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom("acs:5c1c2b2e-1111-2222-3333-444455556666_00000000-1111-2222-3333-444455556666", "orgid:x")),
  seconds,
  seconds,
  fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom("chat", "chat,voip", "")),
  fc.oneof(fc.uuid(), fc.string({ unit: "binary" })),
  fc.uuid(),
  fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
);

describe("claimsJson", () => {
  it("is JSON.stringify of the claims object, call after call", () => {
    fc.assert(
      fc.property(fc.array(claimsArguments, { minLength: 1, maxLength: 6 }), (calls) => {
        for (const args of calls) expect(claimsJson(...args)).toBe(JSON.stringify(claimsObject(...args)));
        // The same parts again, as a client asking for tokens of one identity sends them.
        for (const args of calls) expect(claimsJson(...args)).toBe(JSON.stringify(claimsObject(...args)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("formatServiceDate", () => {
  const before = (date: Date) => `${date.toISOString().slice(0, 23)}0000+00:00`;

  it("writes any date as it always did (toISOString's milliseconds, then 0000+00:00)", () => {
    fc.assert(
      fc.property(fc.array(fc.date({ noInvalidDate: true }), { minLength: 1, maxLength: 8 }), (dates) => {
        for (const date of dates) expect(formatServiceDate(date)).toBe(before(date));
      }),
      { numRuns: 500 },
    );
  });

  it("writes each millisecond of a second, and the seconds around it, with its own digits", () => {
    const start = Date.UTC(2025, 3, 18, 14, 46, 9);
    for (let ms = start - 1500; ms < start + 2500; ms += 7) expect(formatServiceDate(new Date(ms))).toBe(before(new Date(ms)));
    for (const ms of [0, -1, -999, -1000, -1001, 1, 999, 1000, 253402300799999, 253402300800000, -62167219200000, -62167219200001, 8.64e15, -8.64e15]) {
      expect(formatServiceDate(new Date(ms))).toBe(before(new Date(ms)));
    }
  });

  it("throws toISOString's RangeError for an invalid date, even right after a valid one", () => {
    formatServiceDate(new Date(0));
    expect(() => formatServiceDate(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("signJwtJson", () => {
  /** The signing every token had before: a Buffer per payload, Node's streaming Hmac. */
  const reference = (claims: Record<string, unknown>, secret: Buffer) => {
    const input = `${Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
  };
  const secret = randomBytes(32);

  it("signs serialised claims as signJwt signs the object, small and large, any text", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: "binary" }), fc.oneof(fc.string({ unit: "binary", maxLength: 3000 }), fc.integer())), (claims) => {
        expect(signJwtJson(JSON.stringify(claims), secret)).toBe(reference(claims, secret));
        expect(signJwt(claims, secret)).toBe(reference(claims, secret));
      }),
      { numRuns: 200 },
    );
    for (const big of ["a".repeat(1400), "€".repeat(1400), "😀".repeat(700), "x".repeat(20_000)]) {
      expect(signJwtJson(JSON.stringify({ big }), secret)).toBe(reference({ big }, secret));
    }
  });
});

describe("issueAccessToken", () => {
  it("mints a token whose claims are the claims object and whose answer text is JSON.stringify of the answer", () => {
    const store = IdentityStore.inMemory();
    const identity = store.create();
    const now = new Date(Date.UTC(2025, 3, 18, 14, 46, 9, 246));
    for (const scopes of [["chat"], ["chat", "voip"], ["chat"]]) {
      const issued = issueAccessToken(store, identity.id, scopes, now, new Date(now.getTime() + 3_600_000));
      expect(issuedTokenJson(issued)).toBe(JSON.stringify(issued));
      const check = verifyJwt(issued.token, store.secrets.token);
      expect(check.ok).toBe(true);
      const { jti, seq } = check.claims as { jti: string; seq: number };
      const iat = Math.floor(now.getTime() / 1000);
      const expected = claimsObject(identity.id.slice(2), iat, iat + 3600, scopes.join(","), store.keys.resourceId, jti, seq);
      expect(Buffer.from(issued.token.split(".")[1], "base64url").toString("utf8")).toBe(JSON.stringify(expected));
      expect(issued.expiresOn).toBe("2025-04-18T15:46:09.2460000+00:00");
    }
  });

  it("mints for an id without the 8: prefix as it is", () => {
    const store = IdentityStore.inMemory();
    const issued = issueAccessToken(store, "acs:unprefixed", ["chat"], new Date(0), new Date(3_600_000));
    const check = verifyJwt(issued.token, store.secrets.token);
    expect(check.ok && check.claims.skypeid).toBe("acs:unprefixed");
  });
});
