// Types for cannedServer.mjs (plain JS so it runs as a child process without a TypeScript loader).
export declare const CANNED_USER_ID: string;
export declare const CANNED_EXPIRES_ON: string;
export declare const CANNED_TOKEN: string;
export declare function cannedAnswer(method: string, pathname: string, bodyText: string): { status: number; body: string };
export declare function startCannedServer(port?: number): Promise<{ port: number; close(): Promise<void> }>;
