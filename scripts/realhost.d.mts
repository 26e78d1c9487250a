// Types for realhost.mjs, which npm start, the test runner script and the tests share.

/** realhost/RealHost/RealHost.csproj */
export const REALHOST_PROJECT: string;
/** The built host, run with `dotnet <dll>`. */
export const REALHOST_DLL: string;

/** "dotnet" when a .NET SDK is installed; undefined otherwise. */
export function findDotnetSdk(): string | undefined;
export function realhostBuildIsCurrent(): boolean;
export function buildRealhost(): Promise<void>;
export function ensureRealhostBuilt(log?: (message: string) => void): Promise<void>;
