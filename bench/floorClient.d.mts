// Types for floorClient.mjs (plain JS so benchmark children run it without a TypeScript loader).
export interface BenchUser {
  communicationUserId: string;
}
export interface BenchToken {
  token: string;
  expiresOn: Date;
}
export interface FloorClient {
  createUser(): Promise<BenchUser>;
  createUserAndToken(scopes: string[]): Promise<BenchToken & { user: BenchUser }>;
  getToken(user: BenchUser, scopes: string[]): Promise<BenchToken>;
  close(): void;
}
export declare function parseBenchConnectionString(connectionString: string): { endpoint: string; accessKey: string };
export declare function signedPathAndQuery(url: URL): string;
export declare function signRequest(input: {
  method: string;
  url: URL;
  body: string;
  key: Buffer;
  date?: string;
}): { "x-ms-date": string; "x-ms-content-sha256": string; host: string; authorization: string };
export declare function createFloorClient(options: { endpoint: string; accessKey: string; apiVersion?: string }): FloorClient;
