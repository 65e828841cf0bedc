/** abortSignal stops a browser request: before it is sent and while it is in flight. */
import { CommunicationIdentityClient } from "../../../src/index.js";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { slowUserId } from "../providedContext.js";
import { recordFetch } from "./recordFetch.js";

let client: CommunicationIdentityClient;
beforeAll(() => {
  client = new CommunicationIdentityClient(inject("httpConnectionString"), { allowInsecureConnection: true });
});

describe("abortSignal", () => {
  it("an already aborted signal rejects with AbortError and sends nothing", async () => {
    const calls = recordFetch();
    const controller = new AbortController();
    controller.abort();
    await expect(client.createUser({ abortSignal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(calls).toHaveLength(0);
  });

  it("aborting in flight rejects with AbortError at once, not when the server answers", async () => {
    // globalSetup makes the emulator hold this DELETE for 5 s.
    // Ordering, not a time bound: the rejection must come after the abort and before the server's answer.
    const controller = new AbortController();
    const events: string[] = [];
    const pending = client.deleteUser({ communicationUserId: slowUserId }, { abortSignal: controller.signal });
    setTimeout(() => {
      events.push("aborted");
      controller.abort();
    }, 200);
    const serverAnswers = new Promise<void>((resolve) => setTimeout(() => resolve(void events.push("server answered")), 5_000));
    const settled = pending.then(
      () => events.push("resolved"),
      (error: Error) => events.push(`rejected ${error.name}`),
    );
    await Promise.race([settled, serverAnswers]);
    expect(events).toEqual(["aborted", "rejected AbortError"]);
  });
});
