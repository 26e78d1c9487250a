/**
 * Adds properties that read through the getters and throw on assignment, as the worker's hook
 * contexts do: a hook may change what `hookData` holds but not replace it.
 */
export function readOnlyProperties<T extends object, P extends Record<string, () => unknown>>(
  target: T,
  getters: P,
): T & { readonly [K in keyof P]: ReturnType<P[K]> } {
  for (const [name, get] of Object.entries(getters)) {
    Object.defineProperty(target, name, {
      enumerable: true,
      get,
      set() {
        throw new TypeError(`Cannot assign to read only property '${name}'`);
      },
    });
  }
  return target as T & { readonly [K in keyof P]: ReturnType<P[K]> };
}
