import { useInstrumenter, type Instrumenter, type TracingContext, type TracingSpan } from "@azure/core-tracing";
import { beforeAll, describe, expect, it } from "vitest";
import { CommunicationIdentityClient } from "../../src/index.js";
import { CONNECTION_STRING, createFakeHttpClient, ENDPOINT, serviceAnswer, USER_ID } from "./fakeHttpClient.js";

interface RecordedSpan {
  name: string;
  packageName?: string;
  packageVersion?: string;
  ended: boolean;
  status?: string;
}

const spans: RecordedSpan[] = [];
const contextKey = Symbol("span");

function createContext(values = new Map<symbol, unknown>()): TracingContext {
  return {
    getValue: (key) => values.get(key),
    setValue: (key, value) => createContext(new Map(values).set(key, value)),
    deleteValue: (key) => {
      const next = new Map(values);
      next.delete(key);
      return createContext(next);
    },
  };
}

// A minimal instrumenter recording spans and producing a traceparent from the span's name.
const instrumenter: Instrumenter = {
  startSpan(name, options) {
    const recorded: RecordedSpan = { name, packageName: options.packageName, packageVersion: options.packageVersion, ended: false };
    spans.push(recorded);
    const span: TracingSpan = {
      setStatus: (status) => {
        recorded.status = status.status;
      },
      setAttribute: () => undefined,
      end: () => {
        recorded.ended = true;
      },
      recordException: () => undefined,
      isRecording: () => true,
    };
    return { span, tracingContext: createContext(new Map([[contextKey, recorded]])) };
  },
  withContext: (_context, callback, ...args) => callback(...args),
  parseTraceparentHeader: () => undefined,
  createRequestHeaders: (context): Record<string, string> => {
    const span = context?.getValue(contextKey) as RecordedSpan | undefined;
    return span ? { traceparent: `00-${span.name}-01` } : {};
  },
};

const user = { communicationUserId: USER_ID };

describe("tracing", () => {
  beforeAll(() => useInstrumenter(instrumenter));

  it.each([
    ["createUser", (c: CommunicationIdentityClient) => c.createUser(), "CommunicationIdentity-createUser"],
    ["createUserAndToken", (c: CommunicationIdentityClient) => c.createUserAndToken(["chat"]), "CommunicationIdentity-createUserAndToken"],
    ["getToken", (c: CommunicationIdentityClient) => c.getToken(user, ["chat"]), "CommunicationIdentity-issueToken"],
    ["revokeTokens", (c: CommunicationIdentityClient) => c.revokeTokens(user), "CommunicationIdentity-revokeTokens"],
    ["deleteUser", (c: CommunicationIdentityClient) => c.deleteUser(user), "CommunicationIdentity-deleteUser"],
    ["getUser", (c: CommunicationIdentityClient) => c.getUser(user), "CommunicationIdentity-getUser"],
    [
      "getTokenForTeamsUser",
      (c: CommunicationIdentityClient) => c.getTokenForTeamsUser({ teamsUserAadToken: "a", clientId: "b", userObjectId: "c" }),
      "CommunicationIdentity-getTokenForTeamsUser",
    ],
  ])("%s runs in one span named %s and sends its traceparent", async (_method, call, spanName) => {
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient });
    spans.length = 0;
    await call(client);
    expect(spans.map((span) => span.name)).toEqual([spanName]);
    expect(spans[0]).toMatchObject({ packageName: "communication-identity", ended: true, status: "success" });
    expect(httpClient.requests[0].headers["traceparent"]).toBe(`00-${spanName}-01`);
  });

  it("hands the call's span context to the credential's getToken, as core-client does", async () => {
    const seen: Array<unknown> = [];
    const credential = {
      getToken: async (_scopes: string | string[], options?: { tracingOptions?: { tracingContext?: TracingContext } }) => {
        seen.push(options?.tracingOptions?.tracingContext?.getValue(contextKey));
        return { token: "entra-token", expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const httpClient = createFakeHttpClient(serviceAnswer);
    const client = new CommunicationIdentityClient(ENDPOINT, credential, { httpClient });
    spans.length = 0;
    await client.createUser();
    expect(spans.map((span) => span.name)).toEqual(["CommunicationIdentity-createUser"]);
    expect(seen).toEqual([spans[0]]);
  });

  it("marks the span as failed when the call fails", async () => {
    const httpClient = createFakeHttpClient(() => ({ status: 500 }));
    const client = new CommunicationIdentityClient(CONNECTION_STRING, { httpClient, retryOptions: { maxRetries: 0 } });
    spans.length = 0;
    await expect(client.deleteUser(user)).rejects.toThrow();
    expect(spans).toMatchObject([{ name: "CommunicationIdentity-deleteUser", ended: true, status: "error" }]);
  });
});
