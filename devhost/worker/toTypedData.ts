/**
 * The Functions host's TypedData, as the realhost worker writes it in JSON for the .NET host: one
 * member (or none). `bytes` is base64, as the protobuf JSON mapping writes bytes.
 */
export type TypedData =
  | Record<string, never>
  | { string: string }
  | { bytes: string }
  | { int: number }
  | { double: number | NonFiniteDouble }
  | { json: string };

/** JSON has no NaN or infinities; the protobuf JSON mapping writes them as these strings. */
export type NonFiniteDouble = "NaN" | "Infinity" | "-Infinity";

/**
 * A function's return value as the Node worker hands it to the Functions host: the rules of
 * `toRpcTypedData` in @azure/functions (src/converters/toRpcTypedData.ts; in the bundle,
 * node_modules/@azure/functions/dist/azure-functions.js), which the library's InvocationModel
 * `getResponse` applies to the return value of every function that is not HTTP-triggered (with or
 * without a `$return` binding; that is how durable-functions hands the extension an orchestrator's
 * state or an activity's result). In order:
 *
 * - null and undefined: no value (`{}`);
 * - a string: `string`, as it is (not JSON-quoted);
 * - a Buffer, any ArrayBuffer view (typed arrays, DataView) or an ArrayBuffer: `bytes`;
 * - a number: `int` when Number.isInteger, else `double` (NaN and ±Infinity included);
 * - anything else: `json` with JSON.stringify's text. Booleans become "true"/"false", a Date its
 *   ISO string in quotes (its toJSON), a value JSON.stringify leaves out (a function, a symbol) no
 *   value, and a bigint throws TypeError, which fails the invocation as it does in the worker.
 *
 * Not covered, because the worker never invokes such functions through this path: HTTP triggers
 * and `$return` bindings of type "http" (toRpcHttp), and MCP tool triggers (toMcpToolResult).
 */
export function toTypedData(value: unknown): TypedData {
  if (value === null || value === undefined) return {};
  if (typeof value === "string") return { string: value };
  if (Buffer.isBuffer(value)) return { bytes: value.toString("base64") };
  if (ArrayBuffer.isView(value)) return { bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  if (value instanceof ArrayBuffer) return { bytes: Buffer.from(value).toString("base64") };
  if (typeof value === "number") return Number.isInteger(value) ? { int: value } : { double: finiteOrName(value) };
  const json = JSON.stringify(value) as string | undefined;
  // { json: undefined } goes over gRPC as a TypedData with nothing set: no value.
  return json === undefined ? {} : { json };
}

function finiteOrName(value: number): number | NonFiniteDouble {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return value;
}
