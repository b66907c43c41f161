import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { computeSignature, verifyMsgSignature, verifySignature } from './wechat-signature';

interface Vector {
  name: string;
  token: string;
  timestamp: string;
  nonce: string;
  signature: string | null;
  msgSignature: string | null;
  encrypt: string | null;
}

const VECTORS_PATH = path.resolve(__dirname, '../../test/fixtures/wechat-vectors.json');
const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vector[];

function vector(name: string): Vector {
  const found = vectors.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`vector ${name} is missing from ${VECTORS_PATH}`);
  return found;
}

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

describe('computeSignature / verifySignature (3 parameters)', () => {
  const signed = vectors.filter((v) => v.signature !== null);

  it('has the signature vectors', () => {
    expect(signed.map((v) => v.name)).toEqual([
      'official_oa_plaintext_post_signature',
      'official_get_url_verification',
      'official_oa_safe_mode_inbound',
    ]);
  });

  it.each(signed.map((v) => [v.name, v] as const))('%s: computes and verifies', (_name, v) => {
    expect(computeSignature(v.token, v.timestamp, v.nonce)).toBe(v.signature);
    expect(verifySignature(v.token, v.timestamp, v.nonce, v.signature)).toBe(true);
  });

  it.each(signed.map((v) => [v.name, v] as const))('%s: a changed nonce fails', (_name, v) => {
    expect(verifySignature(v.token, v.timestamp, `${v.nonce}1`, v.signature)).toBe(false);
    expect(verifySignature(v.token, `${v.timestamp}1`, v.nonce, v.signature)).toBe(false);
    expect(verifySignature(`${v.token}x`, v.timestamp, v.nonce, v.signature)).toBe(false);
  });

  it('pins the official GET example', () => {
    expect(computeSignature('AAAAA', '1714036504', '1514711492')).toBe(
      'f464b24fc39322e44b38aa78f5edd27bd1441696',
    );
  });

  it('accepts an uppercase hex signature', () => {
    const v = vector('official_get_url_verification');
    expect(verifySignature(v.token, v.timestamp, v.nonce, v.signature?.toUpperCase())).toBe(true);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['empty', ''],
    ['a number', 1234],
    ['an array', ['f464b24fc39322e44b38aa78f5edd27bd1441696']],
    ['39 hex digits', 'f464b24fc39322e44b38aa78f5edd27bd144169'],
    ['41 hex digits', 'f464b24fc39322e44b38aa78f5edd27bd14416960'],
    ['40 non-hex characters', 'g464b24fc39322e44b38aa78f5edd27bd1441696'],
    ['a padded signature', ' f464b24fc39322e44b38aa78f5edd27bd1441696'],
  ])('returns false (no throw) for a signature that is %s', (_label, signature) => {
    expect(verifySignature('AAAAA', '1714036504', '1514711492', signature)).toBe(false);
  });

  it.each([
    ['missing timestamp', undefined, '1514711492'],
    ['empty timestamp', '', '1514711492'],
    ['numeric timestamp', 1714036504, '1514711492'],
    ['missing nonce', '1714036504', undefined],
    ['array nonce', '1714036504', ['1514711492']],
  ])('returns false for a %s', (_label, timestamp, nonce) => {
    expect(
      verifySignature('AAAAA', timestamp, nonce, 'f464b24fc39322e44b38aa78f5edd27bd1441696'),
    ).toBe(false);
  });

  it('returns false for an empty token even with the matching signature', () => {
    const signature = computeSignature('', '1', '2');
    expect(verifySignature('', '1', '2', signature)).toBe(false);
  });
});

describe('computeSignature / verifyMsgSignature (4 parameters)', () => {
  const signed = vectors.filter((v) => v.msgSignature !== null && v.encrypt !== null);

  it('has the msg_signature vectors', () => {
    expect(signed.map((v) => v.name)).toEqual([
      'official_oa_safe_mode_inbound',
      'official_oa_safe_mode_reply',
      'wecom_official_sample_url_verify',
      'easywechat_encryptor_decrypt',
      'node_webot_getSignature',
    ]);
  });

  it.each(signed.map((v) => [v.name, v] as const))('%s: computes and verifies', (_name, v) => {
    expect(computeSignature(v.token, v.timestamp, v.nonce, v.encrypt ?? '')).toBe(v.msgSignature);
    expect(verifyMsgSignature(v.token, v.timestamp, v.nonce, v.encrypt, v.msgSignature)).toBe(true);
  });

  it.each(signed.map((v) => [v.name, v] as const))('%s: a changed nonce fails', (_name, v) => {
    expect(verifyMsgSignature(v.token, v.timestamp, `${v.nonce}0`, v.encrypt, v.msgSignature)).toBe(
      false,
    );
    expect(
      verifyMsgSignature(v.token, v.timestamp, v.nonce, `${v.encrypt ?? ''}A`, v.msgSignature),
    ).toBe(false);
  });

  it('node_webot_getSignature: sorts the literal strings byte-wise', () => {
    const v = vector('node_webot_getSignature');
    expect(v.msgSignature).toBe('8edac0945683c119ee71c9f6256d76c48aa08a96');
    expect(computeSignature(v.token, 'timestamp', 'nonce', 'encrypt')).toBe(v.msgSignature);
    expect(computeSignature('encrypt', 'nonce', v.token, 'timestamp')).toBe(v.msgSignature);
    expect(sha1([v.token, 'timestamp', 'nonce', 'encrypt'].sort().join(''))).toBe(v.msgSignature);
  });

  it('rejects the 3-parameter signature of the safe-mode vector as msg_signature', () => {
    const v = vector('official_oa_safe_mode_inbound');
    expect(verifyMsgSignature(v.token, v.timestamp, v.nonce, v.encrypt, v.signature)).toBe(false);
  });

  it('rejects a missing or non-string encrypt', () => {
    const v = vector('official_oa_safe_mode_inbound');
    expect(verifyMsgSignature(v.token, v.timestamp, v.nonce, undefined, v.msgSignature)).toBe(
      false,
    );
    expect(verifyMsgSignature(v.token, v.timestamp, v.nonce, '', v.msgSignature)).toBe(false);
    expect(verifyMsgSignature(v.token, v.timestamp, v.nonce, [v.encrypt], v.msgSignature)).toBe(
      false,
    );
  });
});

describe('computeSignature sort order', () => {
  it('puts "+" and "/" before digits (ASCII order)', () => {
    expect(computeSignature('1', '+', '/')).toBe(sha1('+/1'));
  });

  it('sorts by UTF-8 bytes, not UTF-16 code units', () => {
    // UTF-16: U+D83D (emoji high surrogate) < U+FF61; UTF-8: EF BD A1 (U+FF61) < F0 9F 98 80.
    const halfwidth = '\uff61';
    const emoji = '\u{1f600}';
    expect([halfwidth, emoji].sort()).toEqual([emoji, halfwidth]);
    expect(computeSignature(emoji, halfwidth)).toBe(sha1(halfwidth + emoji));
  });

  it('keeps duplicates and handles a single part', () => {
    expect(computeSignature('b', 'a', 'a')).toBe(sha1('aab'));
    expect(computeSignature('only')).toBe(sha1('only'));
  });

  it('agrees with sorting the UTF-8 bytes for any mix of characters (fuzz)', () => {
    const reference = (parts: string[]): string => {
      const buffers = parts.map((part) => Buffer.from(part, 'utf8')).sort(Buffer.compare);
      return createHash('sha1').update(Buffer.concat(buffers)).digest('hex');
    };
    const alphabet = ['a', 'Z', '0', '+', '/', '=', 'é', '中', '\uff61', '\u{1f600}', '\ud800', ''];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 2000; round += 1) {
      const parts = Array.from({ length: 1 + random(4) }, () =>
        Array.from({ length: random(5) }, () => alphabet[random(alphabet.length)]).join(''),
      );
      expect(computeSignature(...parts)).toBe(reference(parts));
    }
  });
});
