import { unescape as unescapeQueryComponent } from 'node:querystring';
import type { WechatCallbackQuery } from './wechat-signature.guard';

/** The parameters of a callback URL the library reads; every other one is ignored. */
type CallbackParam = keyof WechatCallbackQuery;

/** querystring.parse's default `maxKeys`. */
const MAX_PAIRS = 1000;
const PLUS = /\+/g;
/** querystring decodes a component only when it holds at least one well-formed escape. */
const ESCAPE = /%[0-9A-Fa-f]{2}/;

/**
 * Reads WeChat's callback parameters (`signature`, `timestamp`, `nonce`, `echostr`,
 * `msg_signature`, `encrypt_type`, `openid`) from a request URL as Express's default query parser
 * reads them (its URL parsing, then `querystring.parse`): the query ends at a `#`; `+` is a space;
 * percent-escapes are UTF-8, and a component with no well-formed escape is kept as it is; a
 * parameter without `=` is `''`; a repeated one becomes an array (which the guard refuses); only
 * the first 1000 pairs count. Other parameters are skipped without being decoded, so a push costs
 * one pass over its URL instead of a full parse. The guard uses it on Fastify too, whose own query
 * parser decodes a malformed escape differently (`a%20b%zz` is `a b%zz` here, as on Express).
 */
export function parseCallbackQuery(url: string): WechatCallbackQuery {
  const query: Partial<Record<CallbackParam, string | string[]>> = {};
  let start = url.indexOf('?') + 1;
  if (start === 0) return query;
  // Express's URL parsing leaves a fragment out of the query.
  const hash = url.indexOf('#', start);
  const end = hash < 0 ? url.length : hash;
  // querystring.parse reads the first MAX_PAIRS pairs (empty ones included) and ignores the rest.
  for (let pairs = 0; start <= end && pairs < MAX_PAIRS; pairs += 1) {
    let next = url.indexOf('&', start);
    if (next < 0 || next > end) next = end;
    if (next > start) {
      let eq = url.indexOf('=', start);
      if (eq < 0 || eq > next) eq = next;
      const key = decodeKey(url.slice(start, eq));
      if (isCallbackParam(key)) {
        const value = eq < next ? decodeValue(url.slice(eq + 1, next)) : '';
        const seen = query[key];
        if (seen === undefined) query[key] = value;
        else if (typeof seen === 'string') query[key] = [seen, value];
        else seen.push(value);
      }
    }
    start = next + 1;
  }
  return query;
}

function isCallbackParam(key: string): key is CallbackParam {
  switch (key) {
    case 'signature':
    case 'timestamp':
    case 'nonce':
    case 'echostr':
    case 'msg_signature':
    case 'encrypt_type':
    case 'openid':
      return true;
    default:
      return false;
  }
}

/** A `+` ends a key's escape, as in querystring. */
function decodeKey(text: string): string {
  if (!text.includes('%')) return text.includes('+') ? text.replace(PLUS, ' ') : text;
  const spaced = text.includes('+') ? text.replace(PLUS, ' ') : text;
  return ESCAPE.test(text) ? unescapeQueryComponent(spaced) : spaced;
}

/** querystring looks past a value's `+` when it looks for a well-formed escape. */
function decodeValue(text: string): string {
  if (!text.includes('+')) {
    return text.includes('%') && ESCAPE.test(text) ? unescapeQueryComponent(text) : text;
  }
  const spaced = text.replace(PLUS, ' ');
  return text.includes('%') && ESCAPE.test(text.replace(PLUS, ''))
    ? unescapeQueryComponent(spaced)
    : spaced;
}
