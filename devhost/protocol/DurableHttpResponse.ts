/** What a callHttp task completes with, in the extension's JSON shape (a header with several values is an array). */
export interface DurableHttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  content: string;
}
