/** The request content's media type, lower-cased without parameters (what .NET's MediaType gives). */
export function mediaType(request: Request): string | undefined {
  return request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
}
