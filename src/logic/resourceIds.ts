import { ValidationError } from "./ValidationError.js";

export const MAX_ID_LENGTH = 100;

/**
 * Instance ids and entity keys travel unencoded in the durable-functions client's URLs and become
 * Azure Table keys, which forbid / \ # ? and control characters. '%' is refused as well, because
 * the client would send it raw and the extension would decode it into a different id.
 */
const forbiddenIdCharacters = /[/\\#?%]/u;

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
  if (raw.length > MAX_ID_LENGTH) {
    throw new ValidationError("invalid_id", `The ${what} is longer than ${MAX_ID_LENGTH} characters.`);
  }
  if (raw.trim() !== raw) {
    throw new ValidationError("invalid_id", `The ${what} must not start or end with white space.`);
  }
  if (forbiddenIdCharacters.test(raw) || hasControlCharacter(raw)) {
    throw new ValidationError(
      "invalid_id",
      `The ${what} must not contain / \\ # ? % or control characters.`,
    );
  }
  return raw;
}
