import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { matchRoute } from "../src/routes.js";

// matchRoute remembers the last method and path it matched; every answer must be the one a fresh table lookup gives.

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
const PATHS = [
  "/identities",
  "/identities/",
  "//identities",
  "/identities/8%3Aacs%3Aabc_def",
  "/identities/8%3Aacs%3Aabc_def/:issueAccessToken",
  "/identities/other/:issueAccessToken",
  "/identities/x/%3AissueAccessToken",
  "/identities/x/:revokeAccessTokens",
  "/identities/x/%zz",
  "/teamsUser/:exchangeAccessToken",
  "/access/entra/assignments",
  "/access/entra/assignments/object-1",
  "/access/teamsExtension/tenants/t/assignments/o",
  "/nothing/here",
  "/",
  "",
];

/** Routes are compared by what they are: a fresh module has its own route objects. */
const shape = (match: ReturnType<typeof matchRoute>) =>
  match.kind === "found" ? { kind: match.kind, template: match.route.template, method: match.route.method, params: match.params } : match;

/** Each method and path as a module that never matched anything before answers it. */
async function freshAnswers(): Promise<Map<string, ReturnType<typeof shape>>> {
  const answers = new Map<string, ReturnType<typeof shape>>();
  for (const method of METHODS) {
    for (const path of PATHS) {
      vi.resetModules();
      const fresh = (await import("../src/routes.js")).matchRoute;
      answers.set(`${method} ${path}`, shape(fresh(method, path)));
    }
  }
  return answers;
}

describe("matchRoute", () => {
  it("answers every method and path of a sequence as a fresh table lookup does", async () => {
    const answers = await freshAnswers();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...METHODS), fc.constantFrom(...PATHS)), { minLength: 1, maxLength: 12 }), (requests) => {
        for (const [method, path] of requests) {
          expect(shape(matchRoute(method, path))).toEqual(answers.get(`${method} ${path}`));
          expect(shape(matchRoute(method, path))).toEqual(answers.get(`${method} ${path}`));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("gives each caller its own params and allowed methods", () => {
    const first = matchRoute("POST", "/identities/abc/:issueAccessToken");
    if (first.kind !== "found") throw new Error("no route");
    first.params.id = "changed";
    const second = matchRoute("POST", "/identities/abc/:issueAccessToken");
    expect(second.kind === "found" && second.params).toEqual({ id: "abc" });

    const wrong = matchRoute("PATCH", "/identities");
    if (wrong.kind !== "wrong-method") throw new Error("not a wrong method");
    wrong.allowed.push("TRACE");
    const again = matchRoute("PATCH", "/identities");
    expect(again.kind === "wrong-method" && again.allowed).toEqual(["POST"]);
  });
});
