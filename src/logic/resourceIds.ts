import { ValidationError } from "./ValidationError.js";

export const MAX_ID_LENGTH = 100;

/**
 * Instance ids and counter ids: 1 to 100 ASCII letters, digits and _ . : ~ -, starting with a
 * letter or digit. Each part of that rule closes a failure seen with a looser one:
 * - createCheckStatusResponse puts the id in a Location header, which takes only bytes up to
 *   U+00FF; a wider character made it throw after the engine had already started the instance.
 *   Plain ASCII also travels unchanged in the client's unencoded URLs and in Azure Table keys,
 *   which forbid / \ # ? and control characters (and '%' would be decoded into another id).
 * - the extension refuses instance ids that start with '@', the prefix of entity scheduler ids
 *   ('@counter@apples' would collide with the Counter entity 'apples').
 * - the SDK builds its URLs with `new URL`, which collapses the path segments '.' and '..'.
 */
const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:~-]{0,99}$/;

/** C0 and C1 control characters, DEL included. */
export function hasControlCharacter(text: string): boolean {
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

export function validateResourceId(raw: string | undefined, what: string): string {
  if (raw === undefined || raw.length === 0) {
    throw new ValidationError("invalid_id", `The ${what} is missing.`);
  }
  if (!idPattern.test(raw)) {
    throw new ValidationError(
      "invalid_id",
      `The ${what} must be 1 to ${MAX_ID_LENGTH} characters of ASCII letters, digits and _ . : ~ -, starting with a letter or digit.`,
    );
  }
  return raw;
}
