import type { FunctionApp } from "../app/FunctionApp.js";

/** What the runners need of the app: look a function up (names are case-insensitive) and invoke it. */
export type FunctionInvoker = Pick<FunctionApp, "get" | "invoke">;
