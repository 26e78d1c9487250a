/** Where the Functions host serves the Durable extension's HTTP API (its webhook), without a trailing slash. */
export const WEBHOOK_PATH = "/runtime/webhooks/durabletask";
