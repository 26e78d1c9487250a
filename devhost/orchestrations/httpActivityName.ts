/** The name the extension schedules callHttp requests under (its built-in HTTP activity). */
export const HTTP_ACTIVITY_NAME = "BuiltIn::HttpActivity";
