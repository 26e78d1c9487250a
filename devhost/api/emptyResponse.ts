/** A response with a status and no body, as the extension gives for 202s, 404s and 410s. */
export const emptyResponse = (status: number): Response => new Response(null, { status });
