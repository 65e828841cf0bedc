import { createHttpHeaders, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
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
    // Quoted and padded, as .env files and shells leave it: the official package accepts these too.
    [`"endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}"`, "https://contoso.communication.azure.com"],
    [`'endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}'`, "https://contoso.communication.azure.com"],
    [` \t"endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}"\n`, "https://contoso.communication.azure.com"],
    [`\n endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}\r\n`, "https://contoso.communication.azure.com"],
    [`"endpoint=https://contoso.communication.azure.com/;accesskey=${KEY};"`, "https://contoso.communication.azure.com"],
  ])("parses %j", (connectionString, endpoint) => {
    const parsed = parseConnectionString(connectionString);
    expect(parsed.endpoint).toBe(endpoint);
    expect(parsed.credential.key).toBe(KEY);
  });

  it.each([
    ["an empty string", "", "it is empty"],
    ["whitespace", "   ", "it is empty"],
    ["empty quotes", '""', "it is empty"],
    ["an endpoint alone", "https://contoso.communication.azure.com/", "it looks like an endpoint url alone: pass a credential with it"],
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

  it.each([
    ["undefined", undefined, "it is undefined (an unset environment variable?)"],
    ["null", null, "it is null"],
    ["a number", 42, "expected a string, got number"],
  ])("rejects %s with its own message", (_name, value, text) => {
    expect(() => parseConnectionString(value as unknown as string)).toThrow(`Invalid connection string: ${text}`);
    expect(() => new CommunicationIdentityClient(value as unknown as string)).toThrow(`Invalid connection string: ${text}`);
  });

  it("signs with the same key whether the connection string is quoted or not", () => {
    const plain = parseConnectionString(`endpoint=https://x.com/;accesskey=${KEY}`);
    expect(parseConnectionString(`"endpoint=https://x.com/;accesskey=${KEY}"`)).toEqual(plain);
    expect(parseConnectionString(`  'endpoint=https://x.com/;accesskey=${KEY}'  `)).toEqual(plain);
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

  it.each(["https://user:pw@x.com", `https://x.com;${KEY}`])("rejects %j without echoing it (it may hold a secret)", (endpoint) => {
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

/** What an error shows anywhere: message, stack, serialized fields. */
function shownBy(make: () => unknown): { message: string; shown: string } {
  try {
    make();
  } catch (error) {
    const e = error as Error;
    return { message: e.message, shown: [e.message, e.stack ?? "", JSON.stringify(e), String(e), JSON.stringify(Object.entries(e))].join("\n") };
  }
  throw new Error("expected a throw");
}

describe("the client constructor's arguments", () => {
  it("an endpoint with the key as a plain string says to wrap the key in a credential, without echoing it", () => {
    const { message, shown } = shownBy(() => new CommunicationIdentityClient("https://contoso.communication.azure.com", KEY as never));
    expect(message).toBe(
      "The credential must be a KeyCredential or a TokenCredential, not a string: pass the endpoint with new AzureKeyCredential(key) " +
        "(from @azure/core-auth), or the connection string endpoint=https://<resource>.communication.azure.com/;accesskey=<key> alone",
    );
    expect(shown).not.toContain(KEY);
    expect(shown).not.toContain(KEY.slice(0, 12));
  });

  it.each([
    ["a key credential", { key: KEY }],
    ["a token credential", { getToken: async () => null }],
  ])("a connection string together with %s says to pass one or the other, without echoing the key", (_name, credential) => {
    for (const connectionString of [`endpoint=https://x.com/;accesskey=${KEY}`, `"Endpoint=https://x.com/;AccessKey=${KEY}"`, `accesskey=${KEY};endpoint=https://x.com`]) {
      const { message, shown } = shownBy(() => new CommunicationIdentityClient(connectionString, credential as never));
      expect(message).toBe("Pass either a connection string alone or an endpoint url with a credential: got a connection string together with a credential");
      expect(shown).not.toContain(KEY);
      expect(shown).not.toContain(KEY.slice(0, 12));
    }
  });

  it("gives distinct messages for undefined, empty, a string credential and a connection string with a credential", () => {
    const messages = [
      shownBy(() => new CommunicationIdentityClient(undefined as never)).message,
      shownBy(() => new CommunicationIdentityClient("")).message,
      shownBy(() => new CommunicationIdentityClient("https://x.com", KEY as never)).message,
      shownBy(() => new CommunicationIdentityClient(`endpoint=https://x.com/;accesskey=${KEY}`, { key: KEY })).message,
      shownBy(() => new CommunicationIdentityClient(`accesskey=${KEY}`)).message,
    ];
    expect(new Set(messages).size).toBe(messages.length);
    for (const message of messages) expect(message).not.toContain(KEY);
  });

  it("accepts a quoted connection string and signs requests with its key", async () => {
    let authorization: string | undefined;
    const httpClient = {
      sendRequest: async (request: PipelineRequest): Promise<PipelineResponse> => {
        authorization = request.headers.get("authorization");
        return { request, status: 201, headers: createHttpHeaders(), bodyAsText: '{"identity":{"id":"8:acs:x_y"}}' };
      },
    };
    const client = new CommunicationIdentityClient(`"endpoint=https://x.com/;accesskey=${KEY}"\n`, { httpClient });
    await expect(client.createUser()).resolves.toEqual({ communicationUserId: "8:acs:x_y" });
    expect(authorization).toMatch(/^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=\S+$/);
  });
});
