/** An HTTP failure the caller can act on: its status, a stable machine-readable code and a sentence. */
export class HttpError extends Error {
  override readonly name = "HttpError";

  constructor(
    readonly status: 400 | 403 | 404 | 409 | 410 | 413,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string): HttpError => new HttpError(400, code, message);
export const forbidden = (code: string, message: string): HttpError => new HttpError(403, code, message);
export const notFound = (code: string, message: string): HttpError => new HttpError(404, code, message);
export const conflict = (code: string, message: string): HttpError => new HttpError(409, code, message);
export const gone = (code: string, message: string): HttpError => new HttpError(410, code, message);
