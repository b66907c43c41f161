import { Parser, type ParserOptions } from 'xml2js';
import { WechatXmlError } from '../errors/wechat-xml.error';
import type { WechatMessage, WechatXmlNode, WechatXmlValue } from './wechat-message.interfaces';
import { toWechatMessage } from './wechat-message.mapper';
import { parseFlatXmlDocument } from './wechat-xml.flat-parser';
import { XML_TEXT_KEY, readXmlFieldText } from './wechat-xml.reader';

/** Options of the push XML parsers. */
export interface ParseWechatXmlOptions {
  /** Largest accepted body in bytes (UTF-8). Default {@link DEFAULT_MAX_XML_BYTES}. */
  maxBytes?: number;
}

/** An encrypted push envelope: `<xml><ToUserName/><Encrypt/></xml>` (safe or compatible mode). */
export interface WechatEncryptedEnvelope {
  /** The base64 ciphertext, exactly as in the XML (after CDATA unwrapping). */
  encrypt: string;
  /** The account's original id (`gh_…`), when present. */
  toUserName?: string;
  /** Every field of the envelope (in compatible mode also the plaintext fields). */
  fields: Record<string, WechatXmlValue>;
}

/** The default body limit: 64 KiB. */
export const DEFAULT_MAX_XML_BYTES = 65536;

/** Deeper nesting than this is refused (WeChat's pushes are at most 4 levels deep). */
const MAX_DEPTH = 32;
const ATTRIBUTES_KEY = '$';
/**
 * Every tag name is prefixed with a space, a character no XML name can contain, so no tag can
 * collide with xml2js's own keys (`_`, `$`) or with `Object.prototype` members (xml2js checks
 * `key in obj`, which sees inherited names such as `constructor`).
 */
const NAME_PREFIX = ' ';
/** The document is parsed inside this element, so text or a second root after it is seen. */
const WRAPPER = 'wechat-push-document';
const WRAPPER_KEY = NAME_PREFIX + WRAPPER;
const ROOT_KEY = NAME_PREFIX + 'xml';
/**
 * Whether `text` holds a `<!DOCTYPE` or `<!ENTITY` declaration (any case). Visits only the `<!`
 * of the text (a push has one per CDATA section) instead of scanning it with a case-insensitive
 * pattern: a push is checked twice (envelope and message).
 */
function hasDtdDeclaration(text: string): boolean {
  for (let at = text.indexOf('<!'); at !== -1; at = text.indexOf('<!', at + 2)) {
    const first = text.charCodeAt(at + 2) | 0x20;
    if (first === 0x64 && text.slice(at + 2, at + 9).toUpperCase() === 'DOCTYPE') return true;
    if (first === 0x65 && text.slice(at + 2, at + 8).toUpperCase() === 'ENTITY') return true;
  }
  return false;
}
const XML_DECLARATION_PATTERN = /^\s*<\?xml[^>]*\?>/;
const NON_WHITESPACE = /\S/;

const PARSER_OPTIONS: ParserOptions = Object.freeze({
  explicitArray: false,
  explicitRoot: true,
  explicitCharkey: false,
  trim: false,
  normalize: false,
  normalizeTags: false,
  mergeAttrs: false,
  ignoreAttrs: false,
  charkey: XML_TEXT_KEY,
  attrkey: ATTRIBUTES_KEY,
  strict: true,
  async: false,
  tagNameProcessors: [(name: string): string => NAME_PREFIX + name],
});

/**
 * Parses a push body into its fields: the children of the `<xml>` root, keyed by tag name, with
 * CDATA and plain text treated alike and nothing dropped. Every object is created with a null
 * prototype, so tags such as `__proto__` or `constructor` are ordinary keys.
 *
 * Checks, in order: size (`TOO_LARGE`), emptiness (`EMPTY`), any `<!DOCTYPE` / `<!ENTITY`
 * (`DTD_FORBIDDEN`, before parsing, against XXE), well-formedness (`MALFORMED`: also text outside
 * the root, several roots, or nesting deeper than 32), root name (`BAD_ROOT`).
 *
 * @throws WechatXmlError (as a rejected promise).
 */
export async function parseWechatXml(
  xml: string | Buffer,
  options: ParseWechatXmlOptions = {},
): Promise<Record<string, WechatXmlValue>> {
  return readWechatXmlFields(xml, options);
}

/**
 * {@link parseWechatXml} without a promise for the flat pushes nearly every push is (one root,
 * each child once, text/CDATA only, read directly); any other body goes through xml2js and comes
 * back as a promise. The checks before parsing (size, emptiness, DTD) throw synchronously.
 *
 * @throws WechatXmlError as {@link parseWechatXml}.
 * @internal the callback endpoint's hot path.
 */
export function readWechatXmlFields(
  xml: string | Buffer,
  options: ParseWechatXmlOptions = {},
): Record<string, WechatXmlValue> | Promise<Record<string, WechatXmlValue>> {
  const document = readDocument(xml, options.maxBytes ?? DEFAULT_MAX_XML_BYTES);
  return parseFlatXmlDocument(document) ?? parseGeneralXml(document);
}

async function parseGeneralXml(document: string): Promise<Record<string, WechatXmlValue>> {
  let parsed: unknown;
  try {
    parsed = await new Parser(PARSER_OPTIONS).parseStringPromise(
      '<' + WRAPPER + '>' + document + '</' + WRAPPER + '>',
    );
  } catch (error: unknown) {
    throw new WechatXmlError('MALFORMED', `The body is not well-formed XML: ${describe(error)}`, {
      cause: error,
    });
  }
  return extractRoot(parsed);
}

/**
 * Parses a push body into its typed message ({@link WechatMessage}): an unknown `MsgType` or
 * `Event` gives an `UnknownWechatMessage`.
 *
 * @throws WechatXmlError as {@link parseWechatXml}, and `MISSING_MSG_TYPE` when `MsgType` is
 * absent or empty.
 */
export async function parseWechatMessage(
  xml: string | Buffer,
  options: ParseWechatXmlOptions = {},
): Promise<WechatMessage> {
  return toWechatMessage(await parseWechatXml(xml, options));
}

/**
 * Parses an encrypted push's envelope and returns its `Encrypt` text.
 *
 * @throws WechatXmlError as {@link parseWechatXml}; `MISSING_ENCRYPT` when there is no `<Encrypt>`
 * element; `MALFORMED` when `<Encrypt>` is repeated or has child elements.
 */
export async function parseEncryptedEnvelope(
  xml: string | Buffer,
  options: ParseWechatXmlOptions = {},
): Promise<WechatEncryptedEnvelope> {
  const fields = await parseWechatXml(xml, options);
  if (!hasEncryptElement(fields)) {
    throw new WechatXmlError('MISSING_ENCRYPT', 'The encrypted body has no <Encrypt> element');
  }
  const encrypt = fields.Encrypt;
  if (typeof encrypt !== 'string') {
    throw new WechatXmlError('MALFORMED', '<Encrypt> must appear once and contain only text');
  }
  const toUserName = readXmlFieldText(fields, 'ToUserName');
  return toUserName === undefined ? { encrypt, fields } : { encrypt, toUserName, fields };
}

/**
 * Whether parsed push fields contain an `<Encrypt>` element (whatever its content): the body is
 * encrypted (safe mode) or carries both forms (compatible mode).
 */
export function hasEncryptElement(fields: Readonly<Record<string, WechatXmlValue>>): boolean {
  return Object.hasOwn(fields, 'Encrypt');
}

function readDocument(xml: string | Buffer, maxBytes: number): string {
  if (!(typeof maxBytes === 'number' && maxBytes > 0)) {
    throw new RangeError('maxBytes must be a positive number');
  }
  if (xml === undefined || xml === null) {
    throw new WechatXmlError('EMPTY', 'The body is empty');
  }
  let text: string;
  if (typeof xml === 'string') {
    // Each UTF-16 unit is at least one UTF-8 byte and at most three.
    if (xml.length > maxBytes || (xml.length * 3 > maxBytes && Buffer.byteLength(xml) > maxBytes)) {
      throw tooLarge(maxBytes);
    }
    text = xml;
  } else if (Buffer.isBuffer(xml)) {
    if (xml.length > maxBytes) throw tooLarge(maxBytes);
    text = xml.toString('utf8');
  } else {
    throw new WechatXmlError('MALFORMED', 'The body must be a string or a Buffer');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!NON_WHITESPACE.test(text)) throw new WechatXmlError('EMPTY', 'The body is empty');
  if (hasDtdDeclaration(text)) {
    throw new WechatXmlError('DTD_FORBIDDEN', 'DOCTYPE and ENTITY declarations are not allowed');
  }
  if (text.includes('</' + WRAPPER)) {
    throw new WechatXmlError('MALFORMED', 'The body is not well-formed XML: unexpected close tag');
  }
  return text.replace(XML_DECLARATION_PATTERN, '');
}

function tooLarge(maxBytes: number): WechatXmlError {
  return new WechatXmlError('TOO_LARGE', `The body is larger than ${maxBytes} bytes`);
}

function extractRoot(parsed: unknown): Record<string, WechatXmlValue> {
  const document = isRecord(parsed) ? parsed[WRAPPER_KEY] : undefined;
  if (!isRecord(document)) {
    throw new WechatXmlError('MALFORMED', 'The body has no root element');
  }
  const keys = Object.keys(document);
  if (keys.includes(XML_TEXT_KEY)) {
    throw new WechatXmlError('MALFORMED', 'The body has text outside its root element');
  }
  const [key, ...others] = keys;
  const root = key === undefined ? undefined : document[key];
  if (key === undefined || others.length > 0 || Array.isArray(root)) {
    throw new WechatXmlError('MALFORMED', 'The body must have exactly one root element');
  }
  if (key !== ROOT_KEY) {
    throw new WechatXmlError('BAD_ROOT', 'The root element must be <xml>');
  }
  if (typeof root === 'string') {
    // <xml/> or <xml>text</xml>: no fields (text, if any, kept under "_").
    const fields = createNode();
    if (NON_WHITESPACE.test(root)) fields[XML_TEXT_KEY] = root;
    return fields;
  }
  if (!isRecord(root)) throw new WechatXmlError('MALFORMED', 'The root element is unreadable');
  return toNode(root, 1);
}

/** Converts an xml2js value into a {@link WechatXmlValue} made of null-prototype objects. */
function toValue(value: unknown, depth: number): WechatXmlValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => toValue(item, depth));
  if (isRecord(value)) return toNode(value, depth);
  return String(value);
}

function toNode(element: Record<string, unknown>, depth: number): WechatXmlNode {
  if (depth > MAX_DEPTH) {
    throw new WechatXmlError('MALFORMED', `The body is nested deeper than ${MAX_DEPTH} levels`);
  }
  const node = createNode();
  for (const key of Object.keys(element)) {
    const value = element[key];
    if (key.startsWith(NAME_PREFIX)) {
      node[key.slice(NAME_PREFIX.length)] = toValue(value, depth + 1);
    } else if (key === XML_TEXT_KEY && typeof value === 'string') {
      // Text comes first in xml2js's objects, so a child element named "_" still wins.
      node[XML_TEXT_KEY] = value;
    } else if (key === ATTRIBUTES_KEY && isRecord(value)) {
      const attributes = createNode();
      for (const name of Object.keys(value)) attributes[name] = String(value[name]);
      node[ATTRIBUTES_KEY] = attributes;
    }
  }
  return node;
}

function createNode(): WechatXmlNode {
  return Object.create(null) as WechatXmlNode;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] ?? 'unknown error';
}
