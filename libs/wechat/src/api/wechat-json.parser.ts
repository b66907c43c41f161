const fieldPatterns = new Map<string, RegExp>();

function patternFor(field: string): RegExp {
  let pattern = fieldPatterns.get(field);
  if (!pattern) {
    const name = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A key is a JSON string token right after `{` or `,`; inside a string value every `"` is
    // escaped, so this cannot match text that merely looks like `"msgid":123` inside a value.
    pattern = new RegExp(`([{,]\\s*"${name}"\\s*:\\s*)(-?\\d+)(?=\\s*[,}\\]])`, 'g');
    fieldPatterns.set(field, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

/**
 * Parses a WeChat JSON response, keeping the integer values of `bigIntFields` as exact decimal
 * strings.
 *
 * `JSON.parse` turns every number into a double, so an id above 2^53 (template `msgid`s are 64-bit)
 * would silently be rounded. The named fields' integer literals are quoted before parsing, so
 * `{"msgid":9007199254740993}` yields `{ msgid: '9007199254740993' }`. Other fields are untouched.
 *
 * @throws SyntaxError when `text` is not JSON.
 */
export function parseWechatJson(text: string, bigIntFields: readonly string[] = []): unknown {
  let source = text;
  for (const field of bigIntFields) source = source.replace(patternFor(field), '$1"$2"');
  return JSON.parse(source) as unknown;
}
