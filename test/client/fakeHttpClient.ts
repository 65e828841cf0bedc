import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";

/** What a fake transport saw of one request: exactly what would go on the wire. */
export interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  request: PipelineRequest;
}

export interface FakeAnswer {
  status: number;
  body?: string | object;
  headers?: Record<string, string>;
}

/** A transport that records each request and answers from `respond` (no network). */
export function createFakeHttpClient(respond: (request: CapturedRequest, attempt: number) => FakeAnswer): HttpClient & {
  requests: CapturedRequest[];
} {
  const requests: CapturedRequest[] = [];
  return {
    requests,
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      if (request.abortSignal?.aborted) {
        const error = new Error("The operation was aborted.");
        error.name = "AbortError";
        throw error;
      }
      const captured: CapturedRequest = {
        method: request.method,
        url: request.url,
        headers: request.headers.toJSON(),
        body: typeof request.body === "string" ? request.body : request.body === undefined ? undefined : String(request.body),
        request,
      };
      requests.push(captured);
      const answer = respond(captured, requests.length);
      const bodyAsText = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      return { status: answer.status, headers: createHttpHeaders(answer.headers ?? {}), request, bodyAsText };
    },
  };
}

export const USER_ID = "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081";
export const ENCODED_USER_ID = "8%3Aacs%3A2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081";
export const SERVICE_DATE = "2025-04-18T14:46:09.2469181+00:00";
export const SERVICE_DATE_MS = Date.UTC(2025, 3, 18, 14, 46, 9, 246);
export const ENDPOINT = "https://contoso.communication.azure.com";
export const ACCESS_KEY = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==";
export const CONNECTION_STRING = `endpoint=${ENDPOINT}/;accesskey=${ACCESS_KEY}`;

/** The service's answer for each operation, with extra fields the client must ignore. */
export function serviceAnswer(request: CapturedRequest): FakeAnswer {
  const { method, url } = request;
  const accessToken = { token: "token-jwt", expiresOn: SERVICE_DATE, unknownField: true };
  if (method === "POST" && /\/identities\?/.test(url)) {
    const body = request.body ? (JSON.parse(request.body) as { customId?: string; createTokenWithScopes?: string[] }) : {};
    const identity = { id: USER_ID, ...(body.customId ? { customId: body.customId } : {}), somethingNew: 1 };
    return { status: 201, body: body.createTokenWithScopes ? { identity, accessToken } : { identity } };
  }
  if (method === "GET") return { status: 200, body: { id: USER_ID, customId: "sally@contoso.com", lastTokenIssuedAt: SERVICE_DATE, extra: "x" } };
  if (url.includes("/:issueAccessToken") || url.includes("/teamsUser/:exchangeAccessToken")) return { status: 200, body: accessToken };
  return { status: 204 };
}
