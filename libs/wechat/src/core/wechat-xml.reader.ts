import type { WechatXmlNode, WechatXmlValue } from './wechat-message.interfaces';

/** The key xml2js (and so the parsed tree) uses for text mixed with child elements. */
export const XML_TEXT_KEY = '_';

/** Whether a parsed value is an element with children (not text, not a list). */
export function isXmlNode(value: WechatXmlValue | undefined): value is WechatXmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text of a parsed value: the string itself; for an element with children its own text
 * (`''` when it has none); for a repeated element the text of the first occurrence.
 * `undefined` for `undefined`.
 */
export function readXmlText(value: WechatXmlValue | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.length === 0 ? undefined : readXmlText(value[0]);
  const text = Object.hasOwn(value, XML_TEXT_KEY) ? value[XML_TEXT_KEY] : undefined;
  return typeof text === 'string' ? text : '';
}

/**
 * A child of a parsed element, looked up as an own property only (so `constructor` or `__proto__`
 * never resolve to something inherited, even on an ordinary object).
 */
export function readXmlField(
  node: Readonly<Record<string, WechatXmlValue>>,
  name: string,
): WechatXmlValue | undefined {
  return Object.hasOwn(node, name) ? node[name] : undefined;
}

/** The text of a child element, or `undefined` when there is no such child. */
export function readXmlFieldText(
  node: Readonly<Record<string, WechatXmlValue>>,
  name: string,
): string | undefined {
  return readXmlText(readXmlField(node, name));
}

/** Every occurrence of a child element that has children of its own, as a list (empty when none). */
export function readXmlNodeList(
  node: Readonly<Record<string, WechatXmlValue>>,
  name: string,
): WechatXmlNode[] {
  const value = readXmlField(node, name);
  if (Array.isArray(value)) return value.filter(isXmlNode);
  return isXmlNode(value) ? [value] : [];
}

/** The first occurrence of a child element that has children of its own, if any. */
export function readXmlNode(
  node: Readonly<Record<string, WechatXmlValue>>,
  name: string,
): WechatXmlNode | undefined {
  return readXmlNodeList(node, name)[0];
}

/** The text of every occurrence of a child element, as a list (empty when none). */
export function readXmlTextList(
  node: Readonly<Record<string, WechatXmlValue>>,
  name: string,
): string[] {
  const value = readXmlField(node, name);
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.map((item) => readXmlText(item) ?? '');
}
