/**
 * Characters XML 1.0 forbids: C0 controls other than tab, LF and CR; U+FFFE and U+FFFF; and
 * surrogate halves that are not part of a pair.
 */
const INVALID_XML_CHARS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes every character XML 1.0 does not allow in a document (see {@link toCdata}). */
export function stripInvalidXmlChars(value: string): string {
  return value.replace(INVALID_XML_CHARS, '');
}

/**
 * Renders text as a CDATA section: characters XML 1.0 forbids are removed and every `]]>` is split
 * as `]]]]><![CDATA[>`, so any string round-trips through an XML parser to the same text (minus
 * the forbidden characters).
 *
 * @example
 * ```ts
 * toCdata('a]]>b'); // '<![CDATA[a]]]]><![CDATA[>b]]>'
 * ```
 */
export function toCdata(value: string): string {
  return '<![CDATA[' + stripInvalidXmlChars(value).replaceAll(']]>', ']]]]><![CDATA[>') + ']]>';
}
