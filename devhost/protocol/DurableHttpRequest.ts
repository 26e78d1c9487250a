/** The request of a callHttp action, as durable-functions builds it and the HTTP work item carries it. */
export interface DurableHttpRequest {
  method: string;
  uri: string;
  content?: string;
  headers?: Record<string, string>;
  /** A managed identity token source; this host cannot obtain tokens. */
  tokenSource?: unknown;
  asynchronousPatternEnabled?: boolean;
}
