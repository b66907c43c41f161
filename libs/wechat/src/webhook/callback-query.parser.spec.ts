import { parse } from 'node:querystring';
import { parse as parseUrl } from 'node:url';
import { prng } from '../../../../test/support/prng';
import { parseCallbackQuery } from './callback-query.parser';

const PARAMS = [
  'signature',
  'timestamp',
  'nonce',
  'echostr',
  'msg_signature',
  'encrypt_type',
  'openid',
] as const;

/**
 * What Express's `req.query` makes of the callback parameters: its `parseurl` takes the text after
 * `?`, or asks Node's legacy `url.parse` when the URL holds a `#` (as here, for every URL); then
 * `querystring.parse`.
 */
function reference(url: string): Record<string, unknown> {
  const search = parseUrl(url).query;
  const parsed = parse(typeof search === 'string' ? search : '');
  const picked: Record<string, unknown> = {};
  for (const name of PARAMS) if (parsed[name] !== undefined) picked[name] = parsed[name];
  return picked;
}

describe('parseCallbackQuery', () => {
  it('reads a safe-mode push URL', () => {
    expect(
      parseCallbackQuery(
        '/wechat?signature=f464b24fc39322e44b38aa78f5edd27bd1441696&timestamp=1714036504&nonce=1514711492&openid=o_user&encrypt_type=aes&msg_signature=abc',
      ),
    ).toEqual({
      signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
      timestamp: '1714036504',
      nonce: '1514711492',
      openid: 'o_user',
      encrypt_type: 'aes',
      msg_signature: 'abc',
    });
  });

  it('skips every other parameter and answers {} without a query', () => {
    expect(parseCallbackQuery('/wechat')).toEqual({});
    expect(parseCallbackQuery('/wechat?')).toEqual({});
    expect(parseCallbackQuery('/wechat?a=1&__proto__=x&constructor=y')).toEqual({});
  });

  it('decodes as querystring does: +, UTF-8 escapes, malformed escapes, bare keys, repeats', () => {
    expect(parseCallbackQuery('/w?echostr=a+b%20c%E4%BD%A0')).toEqual({ echostr: 'a b c你' });
    expect(parseCallbackQuery('/w?echostr=%E4%BD&nonce=%zz%')).toEqual({
      echostr: reference('/w?echostr=%E4%BD').echostr,
      nonce: '%zz%',
    });
    expect(parseCallbackQuery('/w?nonce&timestamp=')).toEqual({ nonce: '', timestamp: '' });
    expect(parseCallbackQuery('/w?signature=a&signature=b&signature=c')).toEqual({
      signature: ['a', 'b', 'c'],
    });
    expect(parseCallbackQuery('/w?sig%6eature=x&nonce=1=2')).toEqual({
      signature: 'x',
      nonce: '1=2',
    });
  });

  it('ends the query at a fragment, and reads the first 1000 pairs only', () => {
    expect(parseCallbackQuery('/w?echostr=a#f&nonce=1')).toEqual({ echostr: 'a' });
    const filler = Array.from({ length: 999 }, (_, i) => `p${i}=1`).join('&');
    expect(parseCallbackQuery(`/w?${filler}&&nonce=1&echostr=2`)).toEqual(
      reference(`/w?${filler}&&nonce=1&echostr=2`),
    );
    expect(parseCallbackQuery(`/w?${filler}&&nonce=1&echostr=2`)).toEqual({});
    expect(parseCallbackQuery(`/w?${filler}&nonce=1&echostr=2`)).toEqual({ nonce: '1' });
  });

  it('agrees with Express (url.parse + querystring.parse) on 20 000 random query strings', () => {
    const next = prng(9127);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const pieces = [
      'a',
      'Z',
      '0',
      '9',
      '+',
      '%',
      '%2',
      '%20',
      '%E4%BD%A0',
      '%ZZ',
      '=',
      '&',
      '你',
      '-',
      '_',
      '.',
      '#',
      '?',
    ];
    const keys = [...PARAMS, 'sig%6Eature', 'nonce+', 'other', '', 'encrypt_type%3D'];
    for (let run = 0; run < 20_000; run += 1) {
      const pairs: string[] = [];
      const count = Math.floor(next() * 9);
      for (let i = 0; i < count; i += 1) {
        let value = '';
        const length = Math.floor(next() * 6);
        for (let j = 0; j < length; j += 1) value += pick(pieces);
        const key = pick(keys);
        pairs.push(next() < 0.1 ? key : `${key}=${value}`);
      }
      const url = `/wechat?${pairs.join(next() < 0.1 ? '&&' : '&')}`;
      expect({ url, query: parseCallbackQuery(url) }).toEqual({ url, query: reference(url) });
    }
  });
});
