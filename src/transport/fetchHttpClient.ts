import { RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { AbortError } from "../pipeline/errors.js";
import { createHeaders } from "../pipeline/pipelineRequest.js";

// The browser transport: what core's fetch client does for the requests this package sends (a string
// body or none, a text answer), in a third of its bundle size (core's streams and Blob/FormData bodies
// are not needed here). Messages, error codes and fetch options are core's.

/** An {@link HttpClient} on `fetch`: the browser build's default transport. */
export function createFetchHttpClient(): HttpClient {
  return { sendRequest };
}

async function sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
  if (new URL(request.url).protocol !== "https:" && !request.allowInsecureConnection) {
    throw new Error(`Cannot connect to ${request.url} while allowInsecureConnection is false.`);
  }
  if (request.proxySettings) throw new Error("HTTP proxy is not supported in browser environment");
  const signal = request.abortSignal;
  if (signal?.aborted) throw new AbortError("The operation was aborted. Request has already been canceled.");
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  signal?.addEventListener("abort", abort);
  const timer = request.timeout > 0 ? setTimeout(abort, request.timeout) : undefined;
  try {
    const headers = new Headers();
    for (const [name, value] of request.headers) headers.append(name, value);
    const body = typeof request.body === "function" ? request.body() : request.body;
    const answer = await fetch(request.url, {
      body: body as BodyInit | undefined,
      method: request.method,
      headers,
      signal: controller.signal,
      credentials: request.withCredentials ? "include" : "same-origin",
      cache: "no-store",
      ...request.requestOverrides,
    });
    const responseHeaders = createHeaders();
    for (const [name, value] of answer.headers) responseHeaders.set(name, value);
    return { request, headers: responseHeaders, status: answer.status, bodyAsText: await readText(answer, request) };
  } catch (error) {
    if ((error as Error | null)?.name === "AbortError") throw error;
    throw new RestError(`Error sending request: ${(error as Error | null)?.message}`, {
      code: (error as { code?: string } | null)?.code ?? RestError.REQUEST_SEND_ERROR,
      request,
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", abort);
  }
}

/** The answer's text, reporting `onDownloadProgress` per chunk as core does. */
async function readText(answer: Response, request: PipelineRequest): Promise<string> {
  const onProgress = request.onDownloadProgress;
  if (!onProgress || !answer.body) return answer.text();
  const reader = answer.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let loadedBytes = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    loadedBytes += chunk.value.length;
    onProgress({ loadedBytes });
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text + decoder.decode();
}
