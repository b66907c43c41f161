import type { WechatXmlNode } from './wechat-message.interfaces';

/**
 * The fast path of the push parser, for the shape nearly every push has: one `<xml>` root whose
 * children each appear once and hold only text and/or CDATA, e.g.
 * `<xml><ToUserName><![CDATA[gh_…]]></ToUserName><CreateTime>1714036504</CreateTime>…</xml>`.
 *
 * Returns exactly what the general (xml2js) path returns for such a document — a null-prototype
 * object of strings, text and CDATA concatenated as they appear — and `undefined` for anything
 * else, which the caller then parses with the general path (and its checks): attributes, nested
 * or repeated elements, entities or character references (`&`), comments, processing
 * instructions, carriage returns, non-ASCII tag names, whitespace inside tags, or any deviation
 * from well-formedness. Input has already passed the size, emptiness and DTD checks.
 */
export function parseFlatXmlDocument(text: string): WechatXmlNode | undefined {
  let i = skipWhitespace(text, 0);
  if (!text.startsWith('<xml>', i)) return undefined;
  i += 5;
  const node = Object.create(null) as WechatXmlNode;
  for (;;) {
    i = skipWhitespace(text, i);
    if (text.charCodeAt(i) !== LT) return undefined;
    if (text.charCodeAt(i + 1) === SLASH) {
      if (!text.startsWith('</xml>', i)) return undefined;
      return skipWhitespace(text, i + 6) === text.length ? node : undefined;
    }
    const nameStart = i + 1;
    let j = nameStart;
    if (!isNameStart(text.charCodeAt(j))) return undefined;
    j += 1;
    while (isNameChar(text.charCodeAt(j))) j += 1;
    const name = text.slice(nameStart, j);
    if (Object.hasOwn(node, name)) return undefined; // repeated: a list, general path
    if (text.charCodeAt(j) === SLASH && text.charCodeAt(j + 1) === GT) {
      node[name] = '';
      i = j + 2;
      continue;
    }
    if (text.charCodeAt(j) !== GT) return undefined;
    i = j + 1;
    let value = '';
    for (;;) {
      if (text.startsWith(CDATA_OPEN, i)) {
        const end = text.indexOf(CDATA_CLOSE, i + CDATA_OPEN.length);
        if (end < 0) return undefined;
        value += text.slice(i + CDATA_OPEN.length, end);
        i = end + CDATA_CLOSE.length;
        continue;
      }
      if (text.charCodeAt(i) === LT) break;
      const lt = text.indexOf('<', i);
      if (lt < 0) return undefined;
      const run = text.slice(i, lt);
      if (run.includes('&')) return undefined; // entities: general path decodes and checks them
      value += run;
      i = lt;
    }
    if (!text.startsWith('</', i) || !text.startsWith(name, i + 2)) return undefined;
    i += 2 + name.length;
    if (text.charCodeAt(i) !== GT) return undefined;
    i += 1;
    if (value.includes('\r')) return undefined; // line-end handling: leave it to the general path
    node[name] = value;
  }
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';

function skipWhitespace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) i += 1;
    else return i;
  }
}

/** `[A-Za-z_]`: a conservative subset of XML's name-start characters. */
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

/** `[A-Za-z0-9_.-]`: a conservative subset of XML's name characters (no `:`). */
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;
}
