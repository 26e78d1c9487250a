/** The header that carries listing continuation tokens, in requests and responses. */
export const CONTINUATION_HEADER = "x-ms-continuation-token";
