import { decodeStrictBase64 } from './base64';
import { prng } from '../../../../test/support/prng';

/** The definition the fast check must agree with. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Characters a lenient decoder treats specially: padding, URL-safe, whitespace, low bytes of wide chars. */
const HOSTILE = [
  '=',
  '-',
  '_',
  ' ',
  '\n',
  '\t',
  '\r',
  '\0',
  '.',
  '%',
  'é',
  'Ł',
  'ŁA',
  '\u0141',
  '\u012b',
  '😀',
  '\uff21',
  '\u0100',
];

describe('decodeStrictBase64', () => {
  it.each([
    ['', ''],
    ['Zg==', '66'],
    ['Zm8=', '666f'],
    ['Zm9v', '666f6f'],
    ['Zm9vYmFy', '666f6f626172'],
    ['+/+/', 'fbffbf'],
    ['Zh==', '66'], // non-zero trailing bits: accepted, as Node decodes them
  ])('decodes %j', (text, hex) => {
    expect(decodeStrictBase64(text)?.toString('hex')).toBe(hex);
  });

  it.each([
    'Zg=',
    'Zg',
    'Z===',
    '====',
    'Zg==Zg==',
    'Zm9v\n',
    'Zm 9',
    'Zm-v',
    'Zm_v',
    'Zm9é',
    'ZmŁv',
    'Zm9v=',
  ])('refuses %j', (text) => {
    expect(decodeStrictBase64(text)).toBeUndefined();
  });

  it('agrees with the strict regular expression on 20000 fuzzed strings', () => {
    const next = prng(4648);
    let accepted = 0;
    for (let n = 0; n < 20000; n += 1) {
      const source = Buffer.alloc(Math.floor(next() * 40));
      for (let i = 0; i < source.length; i += 1) source[i] = Math.floor(next() * 256);
      let text = source.toString('base64');
      const edits = Math.floor(next() * 3);
      for (let e = 0; e < edits; e += 1) {
        const at = Math.floor(next() * (text.length + 1));
        const pick =
          next() < 0.5
            ? HOSTILE[Math.floor(next() * HOSTILE.length)]
            : ALPHABET[Math.floor(next() * ALPHABET.length)];
        const cut = next() < 0.5 ? 1 : 0;
        text = text.slice(0, at) + pick + text.slice(at + cut);
      }
      const expected = STRICT_BASE64.test(text);
      const decoded = decodeStrictBase64(text);
      expect({ text, valid: decoded !== undefined }).toEqual({ text, valid: expected });
      if (decoded) {
        accepted += 1;
        expect(decoded.equals(Buffer.from(text, 'base64'))).toBe(true);
      }
    }
    // Both branches were exercised.
    expect(accepted).toBeGreaterThan(5000);
    expect(accepted).toBeLessThan(19000);
  });
});
