import { createHash } from "node:crypto";

/**
 * Azure Table keys for arbitrary strings such as instance ids. Keys may not contain `/ \ # ?` or
 * control characters, and hold at most 512 UTF-16 code units. Each offending code unit becomes
 * `~XX` (or `~uXXXX` above U+00FF). `%` is escaped too, since some clients mangle it in key URLs,
 * and so are surrogates (a lone one cannot be put into a URL) and U+FFFE/U+FFFF: escaped keys then
 * hold no surrogates, so UTF-16, code point and UTF-8 order agree, and the key after a prefix's
 * range is always representable.
 *
 * The escape works code unit by code unit and no escape sequence is a prefix of another, so the key
 * of a prefix of an id is a prefix of the id's key, and no other key starts with it: a prefix query
 * is a key range. Keys that would be too long keep the first part of their escaped text and end in
 * `~!` and a hash of the whole value (no escaped text contains `~!`); a prefix longer than that
 * first part then selects a range that a filter on the stored id has to narrow.
 */

const MAX_KEY_LENGTH = 512;
const HASH_MARK = "~!";
const HASH_LENGTH = 64;

// The character class names control characters on purpose: they are what keys may not hold.
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\u0000-\u001f\u007f-\u009f/\\#?%~\ud800-\udfff\ufffe\uffff]/g;

const escapeCodeUnit = (character: string): string => {
  const code = character.charCodeAt(0);
  return code <= 0xff ? `~${code.toString(16).toUpperCase().padStart(2, "0")}` : `~u${code.toString(16).toUpperCase().padStart(4, "0")}`;
};

const escape = (value: string): string => value.replace(ESCAPED, escapeCodeUnit);

const headLength = (maxLength: number): number => maxLength - HASH_MARK.length - HASH_LENGTH;

/** The smallest string above every string that starts with `prefix` (escaped text holds no U+FFFE or above). */
const successor = (prefix: string): string =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

export const tableKeys = {
  /** The key for `value`, unique to it, at most `maxLength` code units long (for keys built of several parts). */
  key(value: string, maxLength: number = MAX_KEY_LENGTH): string {
    const escaped = escape(value);
    if (escaped.length <= maxLength) return escaped;
    if (maxLength < HASH_MARK.length + HASH_LENGTH) throw new RangeError(`No room for a key of ${maxLength} characters.`);
    // UTF-16 input so that distinct lone surrogates hash differently.
    const hash = createHash("sha256").update(value, "utf16le").digest("hex");
    return escaped.slice(0, headLength(maxLength)) + HASH_MARK + hash;
  },

  /**
   * The key range [from, to) holding the keys of every value that starts with `prefix` (non-empty).
   * When `exact` is false the range also holds keys of other values, which a filter must drop.
   */
  prefixRange(prefix: string): { from: string; to: string; exact: boolean } {
    if (prefix === "") throw new RangeError("An empty prefix selects every key: query without a range.");
    const escaped = escape(prefix);
    const head = headLength(MAX_KEY_LENGTH);
    const from = escaped.length > head ? escaped.slice(0, head) : escaped;
    return { from, to: successor(from), exact: escaped.length <= head };
  },
};
