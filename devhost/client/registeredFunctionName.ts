import { ClientError } from "./ClientError.js";

/** The registered spelling of a function name (the extension matches names case-insensitively). */
export function registeredFunctionName(name: string, registered: ReadonlySet<string>, kind: "orchestrator" | "entity"): string {
  const lower = name.toLowerCase();
  const match = [...registered].find((candidate) => candidate.toLowerCase() === lower);
  if (match !== undefined) return match;
  const known =
    registered.size > 0
      ? `The following are the known ${kind} functions: '${[...registered].join("', '")}'.`
      : `No ${kind} functions are currently registered!`;
  throw new ClientError("badArgument", `The function '${name}' doesn't exist, is disabled, or is not an ${kind} function. Additional info: ${known}`);
}
