/** The characters that would break the instance's URLs, and control characters (char.IsControl). */
export function hasInvalidCharacter(id: string): boolean {
  for (let index = 0; index < id.length; index++) {
    const code = id.charCodeAt(index);
    if ("/\\?#".includes(id.charAt(index)) || code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
