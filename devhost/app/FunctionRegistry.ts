import { Disposable } from "./Disposable.js";
import type { BindingMetadata, RegisteredFunction } from "./functionTypes.js";
import type { HostLogger } from "./HostLogger.js";
import { isTriggerType } from "./isTriggerType.js";

/**
 * The functions the app registered through `@azure/functions-core`, with the worker's rules: ids are
 * unique, and registering or disposing is allowed only while the app starts.
 */
export class FunctionRegistry {
  readonly #functions = new Map<string, RegisteredFunction>();
  #locked = false;

  constructor(private readonly logger: HostLogger) {}

  register(metadata: unknown, callback: unknown): Disposable {
    if (this.#locked) throw new Error("A function can only be registered during app startup.");
    const { name, functionId, bindings } = parseMetadata(metadata);
    if (typeof callback !== "function") throw new TypeError(`The callback registered for function "${name}" is not a function.`);
    const id = functionId ?? name;
    if (this.#functions.has(id)) throw new Error(`A function with id "${id}" has already been registered.`);
    const trigger = Object.entries(bindings).find(([, binding]) => isTriggerType(binding.type));
    if (trigger === undefined) {
      // The host indexes such a function "in error" and goes on with the others.
      this.logger.log("error", `The '${name}' function is in error: No trigger binding specified. A function must have a trigger input binding.`);
    } else {
      const handler = callback as RegisteredFunction["handler"];
      this.#functions.set(id, { name, bindings, trigger: { ...trigger[1], name: trigger[0] }, handler });
    }
    return new Disposable(() => {
      if (this.#locked) throw new Error("A function can only be disposed during app startup.");
      this.#functions.delete(id);
    });
  }

  /** Called once the app has started, as the worker does when the host asks for the function metadata. */
  lock(): void {
    this.#locked = true;
  }

  list(): RegisteredFunction[] {
    return [...this.#functions.values()];
  }

  /** Function names are case-insensitive to the host; an exact match wins. */
  get(name: string): RegisteredFunction | undefined {
    const exact = this.#functions.get(name);
    if (exact !== undefined) return exact;
    const lower = name.toLowerCase();
    return this.list().find((fn) => fn.name.toLowerCase() === lower);
  }
}

interface FunctionMetadata {
  name: string;
  functionId: string | undefined;
  bindings: Record<string, BindingMetadata>;
}

function parseMetadata(metadata: unknown): FunctionMetadata {
  if (typeof metadata !== "object" || metadata === null) throw new TypeError("Function metadata must be an object.");
  const { name, functionId, bindings } = metadata as Record<string, unknown>;
  if (typeof name !== "string" || name === "") throw new TypeError("Function metadata must have a name.");
  if (typeof bindings !== "object" || bindings === null) throw new TypeError(`Function "${name}" has no bindings.`);
  for (const [bindingName, binding] of Object.entries(bindings)) {
    const { type, direction } = (binding ?? {}) as Record<string, unknown>;
    if (typeof type !== "string" || (direction !== "in" && direction !== "out" && direction !== "inout")) {
      throw new TypeError(`Binding "${bindingName}" of function "${name}" needs a type and a direction (in, out or inout).`);
    }
  }
  return { name, functionId: typeof functionId === "string" ? functionId : undefined, bindings: bindings as Record<string, BindingMetadata> };
}
