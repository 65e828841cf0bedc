// Types for emulatorDriver.mjs (plain JS so the driver child runs without a TypeScript loader).
export interface TokenRequester {
  /** Sends one signed issueAccessToken; resolves true for a 200 answer carrying a token. */
  send(): Promise<boolean>;
  close(): void;
}
export declare function createTokenRequester(options: { endpoint: string; accessKey: string; userId: string }): TokenRequester;
export interface WindowResult {
  count: number;
  failures: number;
  p99: number;
  wallMs: number;
  cpuMicros: number;
}
export declare function runWindow(requester: Pick<TokenRequester, "send">, inFlight: number, windowMs: number): Promise<WindowResult>;
