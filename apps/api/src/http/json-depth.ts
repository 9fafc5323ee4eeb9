const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }

/**
 * Whether JSON text, as UTF-8 bytes, nests arrays and objects more than `limit` levels deep. One
 * linear pass that skips string contents (escapes included) and recurses into nothing, so it can
 * run before `JSON.parse` and the validation pipe, which recurse (45,000 levels overflow the
 * stack). Quotes, backslashes and brackets are ASCII: no byte of a multi-byte UTF-8 character is
 * taken for one. Text that is not JSON is the parser's to refuse: it only has to end.
 */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index];
    if (inString) {
      if (byte === BACKSLASH) {
        index++;
      } else if (byte === QUOTE) {
        inString = false;
      }
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      depth++;
      if (depth > limit) {
        return true;
      }
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}
