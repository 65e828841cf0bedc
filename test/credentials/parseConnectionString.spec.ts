import { describe, expect, it } from "vitest";
import { parseConnectionString } from "../../src/credentials/parseConnectionString.js";
import { validateEndpoint } from "../../src/credentials/validateEndpoint.js";
import { CommunicationIdentityClient } from "../../src/index.js";

const KEY = "U2VjcmV0S2V5VGhhdE11c3ROZXZlckxlYWs/Kw==";

describe("parseConnectionString", () => {
  it.each([
    [`endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`, "https://contoso.communication.azure.com"],
    [`endpoint=https://contoso.communication.azure.com;accesskey=${KEY}`, "https://contoso.communication.azure.com"],
    [`Endpoint=https://contoso.communication.azure.com/;AccessKey=${KEY}`, "https://contoso.communication.azure.com"],
    [`ENDPOINT=https://contoso.communication.azure.com/;ACCESSKEY=${KEY};`, "https://contoso.communication.azure.com"],
    [`accesskey=${KEY};endpoint=https://contoso.communication.azure.com/`, "https://contoso.communication.azure.com"],
    [`  endpoint = https://contoso.communication.azure.com/ ;  accesskey = ${KEY} ; `, "https://contoso.communication.azure.com"],
    [`endpoint=http://127.0.0.1:8080;accesskey=${KEY}`, "http://127.0.0.1:8080"],
    [`endpoint=https://localhost:443/;accesskey=${KEY}`, "https://localhost"],
  ])("parses %s", (connectionString, endpoint) => {
    const parsed = parseConnectionString(connectionString);
    expect(parsed.endpoint).toBe(endpoint);
    expect(parsed.credential.key).toBe(KEY);
  });

  it.each([
    ["an empty string", "", "endpoint is missing"],
    ["whitespace", "   ", "endpoint is missing"],
    ["no endpoint", `accesskey=${KEY}`, "endpoint is missing"],
    ["an empty endpoint", `endpoint=;accesskey=${KEY}`, "endpoint is missing"],
    ["no accesskey", "endpoint=https://contoso.communication.azure.com/", "accesskey is missing"],
    ["an empty accesskey", "endpoint=https://contoso.communication.azure.com/;accesskey=", "accesskey is missing"],
    ["a non-base64 key", `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}!!`, "not valid base64"],
    ["garbage without =", "this is not a connection string", "expected endpoint=<url>;accesskey=<key>"],
    ["garbage around the key", `this is not a connection string ${KEY}`, "endpoint is missing"],
    ["a part without a name", `=x;endpoint=https://x.com;accesskey=${KEY}`, "expected endpoint=<url>;accesskey=<key>"],
    ["an endpoint with a path", `endpoint=https://contoso.communication.azure.com/identities;accesskey=${KEY}`, "Invalid endpoint url"],
    ["an ftp endpoint", `endpoint=ftp://contoso.communication.azure.com;accesskey=${KEY}`, "Invalid endpoint url"],
    ["an endpoint that is not a url", `endpoint=contoso;accesskey=${KEY}`, "Invalid endpoint url"],
    ["an endpoint with a query", `endpoint=https://contoso.com/?x=1;accesskey=${KEY}`, "Invalid endpoint url"],
  ])("rejects %s with a message naming the problem and never the key", (_name, connectionString, text) => {
    let error: unknown;
    try {
      parseConnectionString(connectionString);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    const shown = [(error as Error).message, (error as Error).stack ?? "", JSON.stringify(error), String(error)].join("\n");
    expect((error as Error).message).toContain(text);
    expect(shown).not.toContain(KEY);
    expect(shown).not.toContain(KEY.slice(0, 12));
  });

  it("the client constructor throws the same errors", () => {
    expect(() => new CommunicationIdentityClient(`endpoint=https://x.com/;accesskey=`)).toThrow("accesskey is missing");
    expect(() => new CommunicationIdentityClient(`accesskey=${KEY}`)).toThrow("endpoint is missing");
  });
});

describe("validateEndpoint", () => {
  it.each([
    ["https://contoso.communication.azure.com", "https://contoso.communication.azure.com"],
    ["https://contoso.communication.azure.com/", "https://contoso.communication.azure.com"],
    ["http://localhost:3000/", "http://localhost:3000"],
    ["HTTPS://Contoso.Communication.Azure.com", "https://contoso.communication.azure.com"],
  ])("accepts %s", (endpoint, normalized) => {
    expect(validateEndpoint(endpoint)).toBe(normalized);
  });

  it.each(["contoso.communication.azure.com", "https://contoso.com/path", "https://contoso.com?x", "https://contoso.com#x", "wss://x.com", ""])(
    "rejects %j with Invalid endpoint url <url>",
    (endpoint) => {
      expect(() => validateEndpoint(endpoint)).toThrow(`Invalid endpoint url ${endpoint}`);
    },
  );

  it.each(["https://user:pw@x.com", `endpoint=https://x.com/;accesskey=${KEY}`])("rejects %j without echoing it (it may hold a secret)", (endpoint) => {
    expect(() => validateEndpoint(endpoint)).toThrow("Invalid endpoint url");
    expect(() => new CommunicationIdentityClient(endpoint, { key: KEY })).toThrow("Invalid endpoint url");
    let message = "";
    try {
      validateEndpoint(endpoint);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain("pw");
    expect(message).not.toContain(KEY);
  });

  it("names a non-string endpoint without failing to print it", () => {
    expect(() => validateEndpoint(Symbol("endpoint") as unknown as string)).toThrow("Invalid endpoint url Symbol(endpoint)");
    expect(() => validateEndpoint(undefined as unknown as string)).toThrow("Invalid endpoint url undefined");
  });

  it("the client constructor validates the endpoint with a credential", () => {
    expect(() => new CommunicationIdentityClient("https://x.com/identities", { key: KEY })).toThrow("Invalid endpoint url https://x.com/identities");
  });
});
