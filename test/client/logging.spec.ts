import { AzureLogger, setLogLevel } from "@azure/logger";
import { afterEach, describe, expect, it } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { ACCESS_KEY, CONNECTION_STRING, createFakeHttpClient, serviceAnswer } from "./fakeHttpClient.js";

describe("logging", () => {
  const originalLog = AzureLogger.log;
  afterEach(() => {
    AzureLogger.log = originalLog;
    setLogLevel();
  });

  it("logs requests under azure:communication-identity without the key or the signature", async () => {
    const lines: string[] = [];
    AzureLogger.log = (...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    };
    setLogLevel("info");
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    await client.createUserAndToken(["chat"]);
    const output = lines.join("\n");
    expect(output).toContain("azure:communication-identity:info");
    expect(output).toContain("/identities");
    const signature = httpClient.requests[0].headers["authorization"].split("Signature=")[1];
    expect(output).not.toContain(signature);
    expect(output).not.toContain(ACCESS_KEY);
    expect(output).not.toContain("token-jwt");
  });
});
