/**
 * Decodes standard base64 (RFC 4648 §4: `[A-Za-z0-9+/]`, a length that is a multiple of 4, at most
 * two trailing `=`, nothing else, no whitespace), or returns `undefined` for anything else. Trailing
 * bits need not be zero (the decoding is lenient there, as Node's is).
 *
 * Checked from the length Node's lenient decoder produces rather than by a regular expression over
 * the text (a third of the cost). That decoder skips characters outside the alphabet and stops at
 * an inner `=`, so any such character makes its output shorter than the length the text implies,
 * with three exceptions it decodes as if they were valid: the URL-safe `-` and `_`, and non-ASCII
 * characters (read by their low byte); those are looked for separately. A spec holds the result
 * equal to `^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$` on fuzzed input.
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  const length = text.length;
  if (length % 4 !== 0) return undefined;
  const decoded = Buffer.from(text, 'base64');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const valid =
    decoded.length === (length / 4) * 3 - padding &&
    !text.includes('-') &&
    !text.includes('_') &&
    Buffer.byteLength(text, 'utf8') === length;
  return valid ? decoded : undefined;
}
