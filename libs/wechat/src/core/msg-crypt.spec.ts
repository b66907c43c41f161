import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WechatCryptoError, type WechatCryptoErrorReason } from '../errors/wechat-crypto.error';
import { WechatError } from '../errors/wechat.error';
import { MsgCrypt } from './msg-crypt';
import { parseWechatXml } from './wechat-message.parser';
import { computeSignature, verifyMsgSignature } from './wechat-signature';

interface Vector {
  name: string;
  token: string;
  encodingAESKey: string;
  appId: string;
  timestamp: string;
  nonce: string;
  signature: string | null;
  msgSignature: string;
  encrypt: string;
  plaintext: string;
  random: string;
}

const VECTORS_PATH = path.resolve(__dirname, '../../test/fixtures/wechat-vectors.json');
const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vector[];

function vector(name: string): Vector {
  const found = vectors.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`vector ${name} is missing from ${VECTORS_PATH}`);
  return found;
}

function cryptFor(v: Vector, appId = v.appId): MsgCrypt {
  return new MsgCrypt({ token: v.token, encodingAESKey: v.encodingAESKey, appId });
}

/** The vectors' `random` is the 16 ASCII characters themselves (not hex). */
function randomOf(v: Vector): Buffer {
  return Buffer.from(v.random, 'latin1');
}

function thrown(action: () => unknown): WechatCryptoError {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof WechatCryptoError) return error;
    throw error;
  }
  throw new Error('expected a WechatCryptoError, nothing was thrown');
}

function reasonOf(action: () => unknown): WechatCryptoErrorReason {
  return thrown(action).reason;
}

const TOKEN = 'testToken';
const APP_ID = 'wx1234567890abcdef';
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OLD_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const OTHER_KEY = 'Qk9HVVNLRVlCT0dVU0tFWUJPR1VTS0VZQk9HVVNLRVl';
const TIMESTAMP = '1714112445';
const NONCE = '415670741';

function aesKey(encodingAESKey: string): Buffer {
  return Buffer.from(`${encodingAESKey}=`, 'base64');
}

/** Encrypts raw plaintext blocks with node's crypto (no padding added) and signs the result. */
function craft(plaintext: Buffer, encodingAESKey = KEY): { encrypt: string; signature: string } {
  const key = aesKey(encodingAESKey);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const encrypt = Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
  return { encrypt, signature: computeSignature(TOKEN, TIMESTAMP, NONCE, encrypt) };
}

/** WeChat's plaintext layout, with every part under the test's control. */
function layout(message: Buffer, appId: string, declaredLength = message.length): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(declaredLength, 0);
  const body = Buffer.concat([Buffer.alloc(16, 7), length, message, Buffer.from(appId)]);
  const pad = 32 - (body.length % 32);
  return Buffer.concat([body, Buffer.alloc(pad, pad)]);
}

function decryptRaw(encrypt: string, encodingAESKey: string): Buffer {
  const key = aesKey(encodingAESKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
}

/** Flips one ciphertext byte (CBC: the same bit flips in the next block's plaintext) and re-signs. */
function flip(
  encrypt: string,
  index: number,
  mask: number,
): { encrypt: string; signature: string } {
  const bytes = Buffer.from(encrypt, 'base64');
  bytes[index] ^= mask;
  const flipped = bytes.toString('base64');
  return { encrypt: flipped, signature: computeSignature(TOKEN, TIMESTAMP, NONCE, flipped) };
}

describe('MsgCrypt', () => {
  const crypt = new MsgCrypt({ token: TOKEN, encodingAESKey: KEY, appId: APP_ID });

  describe('test vectors', () => {
    it('official_oa_safe_mode_inbound decrypts to the exact plaintext', () => {
      const v = vector('official_oa_safe_mode_inbound');
      expect(cryptFor(v).decrypt(v.msgSignature, v.timestamp, v.nonce, v.encrypt)).toEqual({
        message: v.plaintext,
        keyId: 'current',
      });
    });

    it('official_oa_safe_mode_inbound has the documented layout (random, 205-byte FullStr)', () => {
      const v = vector('official_oa_safe_mode_inbound');
      const plain = decryptRaw(v.encrypt, v.encodingAESKey);
      expect(plain.length).toBe(224);
      expect(plain.subarray(0, 16)).toEqual(randomOf(v));
      expect(plain.readUInt32BE(16)).toBe(167);
      expect(plain.subarray(205)).toEqual(Buffer.alloc(19, 0x13));
    });

    it('easywechat_encryptor_decrypt decrypts with a non-canonical base64 key', () => {
      const v = vector('easywechat_encryptor_decrypt');
      expect(v.encodingAESKey.endsWith('G')).toBe(true);
      expect(cryptFor(v).decrypt(v.msgSignature, v.timestamp, v.nonce, v.encrypt).message).toBe(
        v.plaintext,
      );
    });

    it('wecom_official_sample_url_verify decrypts the echostr (decryptEchoStr)', () => {
      const v = vector('wecom_official_sample_url_verify');
      expect(cryptFor(v).decryptEchoStr(v.msgSignature, v.timestamp, v.nonce, v.encrypt)).toBe(
        '1616140317555161061',
      );
    });

    it('official_oa_safe_mode_reply encrypts to the exact Encrypt and MsgSignature', () => {
      const v = vector('official_oa_safe_mode_reply');
      const vectorCrypt = cryptFor(v);
      expect(vectorCrypt.encrypt(v.plaintext, { random: randomOf(v) })).toBe(v.encrypt);
      const envelope = vectorCrypt.encryptReply(v.plaintext, {
        nonce: v.nonce,
        timestamp: Number(v.timestamp),
        random: randomOf(v),
      });
      expect(envelope).toEqual({
        encrypt: v.encrypt,
        msgSignature: v.msgSignature,
        timestamp: v.timestamp,
        nonce: v.nonce,
        xml:
          `<xml><Encrypt><![CDATA[${v.encrypt}]]></Encrypt>` +
          `<MsgSignature><![CDATA[${v.msgSignature}]]></MsgSignature>` +
          `<TimeStamp>${v.timestamp}</TimeStamp><Nonce><![CDATA[${v.nonce}]]></Nonce></xml>`,
      });
    });

    it('rejects the inbound vector when the AppID is wx0000000000000000 (APPID_MISMATCH)', () => {
      const v = vector('official_oa_safe_mode_inbound');
      const wrong = cryptFor(v, 'wx0000000000000000');
      expect(reasonOf(() => wrong.decrypt(v.msgSignature, v.timestamp, v.nonce, v.encrypt))).toBe(
        'APPID_MISMATCH',
      );
    });

    it('rejects the 3-parameter signature of the safe-mode vector as msg_signature', () => {
      const v = vector('official_oa_safe_mode_inbound');
      expect(v.signature).toBe('6c5c811b55cc85e0e1b54100749188c20beb3f5d');
      expect(
        reasonOf(() => cryptFor(v).decrypt(v.signature, v.timestamp, v.nonce, v.encrypt)),
      ).toBe('BAD_SIGNATURE');
    });

    it('rejects the inbound vector with a changed nonce', () => {
      const v = vector('official_oa_safe_mode_inbound');
      expect(
        reasonOf(() => cryptFor(v).decrypt(v.msgSignature, v.timestamp, '415670742', v.encrypt)),
      ).toBe('BAD_SIGNATURE');
    });

    it('decrypts with an EncodingAESKey of 43 "A" as the all-zero key', () => {
      const v = vector('official_oa_safe_mode_inbound');
      expect(v.encodingAESKey).toBe('A'.repeat(43));
      expect(aesKey(v.encodingAESKey)).toEqual(Buffer.alloc(32));
    });
  });

  describe('round trips', () => {
    it.each([
      ['ASCII', '<xml><Content><![CDATA[hello]]></Content></xml>'],
      ['Chinese', '<xml><Content><![CDATA[你好，世界：公众号消息]]></Content></xml>'],
      ['emoji', '👋🏽 hi 😀 — ok'],
      [
        'a 60 KiB body',
        `<xml><Content><![CDATA[${'数据x'.repeat((60 * 1024) / 4)}]]></Content></xml>`,
      ],
      ['an empty message', ''],
      ['exactly one pad block (length % 32 == 0)', 'x'.repeat(32 - ((20 + APP_ID.length) % 32))],
    ])('%s', (_label, message) => {
      const encrypt = crypt.encrypt(message);
      const signature = computeSignature(TOKEN, TIMESTAMP, NONCE, encrypt);
      expect(crypt.decrypt(signature, TIMESTAMP, NONCE, encrypt)).toEqual({
        message,
        keyId: 'current',
      });
    });

    it('pads with a full 32-byte block when the plaintext is a multiple of 32', () => {
      const message = 'x'.repeat(64 - 20 - APP_ID.length);
      const plain = decryptRaw(crypt.encrypt(message), KEY);
      expect(plain.length).toBe(96);
      expect(plain.subarray(64)).toEqual(Buffer.alloc(32, 32));
    });

    it('counts msg_len in UTF-8 bytes', () => {
      const plain = decryptRaw(crypt.encrypt('中文'), KEY);
      expect(plain.readUInt32BE(16)).toBe(6);
      expect(plain.subarray(20, 26).toString('utf8')).toBe('中文');
      expect(plain.subarray(26, 26 + APP_ID.length).toString()).toBe(APP_ID);
    });

    it('uses fresh random bytes: two encryptions of the same text differ', () => {
      const first = crypt.encrypt('same text');
      const second = crypt.encrypt('same text');
      expect(first).not.toBe(second);
      expect(decryptRaw(first, KEY).subarray(0, 16)).not.toEqual(
        decryptRaw(second, KEY).subarray(0, 16),
      );
    });

    it('is deterministic with a given random', () => {
      const random = Buffer.alloc(16, 1);
      expect(crypt.encrypt('text', { random })).toBe(crypt.encrypt('text', { random }));
    });

    it('refuses a random that is not 16 bytes', () => {
      expect(() => crypt.encrypt('text', { random: Buffer.alloc(8) })).toThrow(RangeError);
    });
  });

  describe('encryptReply', () => {
    it('builds a signed envelope that parses and decrypts back', async () => {
      const envelope = crypt.encryptReply('<xml><Content>hi</Content></xml>', {
        nonce: NONCE,
        timestamp: '1713424427',
      });
      const fields = await parseWechatXml(envelope.xml);
      expect(fields.Encrypt).toBe(envelope.encrypt);
      expect(fields.MsgSignature).toBe(envelope.msgSignature);
      expect(fields.TimeStamp).toBe('1713424427');
      expect(fields.Nonce).toBe(NONCE);
      expect(
        crypt.decrypt(fields.MsgSignature, fields.TimeStamp, fields.Nonce, fields.Encrypt),
      ).toEqual({
        message: '<xml><Content>hi</Content></xml>',
        keyId: 'current',
      });
    });

    it('defaults the timestamp to now (unix seconds)', () => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_999);
      try {
        expect(crypt.encryptReply('x', { nonce: NONCE }).timestamp).toBe('1700000000');
      } finally {
        now.mockRestore();
      }
    });

    it('keeps a nonce containing "]]>" CDATA-safe and signed as sent', async () => {
      const nonce = 'a]]>b';
      const envelope = crypt.encryptReply('x', { nonce, timestamp: 1 });
      expect(envelope.xml).toContain('<Nonce><![CDATA[a]]]]><![CDATA[>b]]></Nonce>');
      const fields = await parseWechatXml(envelope.xml);
      expect(fields.Nonce).toBe(nonce);
      expect(verifyMsgSignature(TOKEN, '1', nonce, envelope.encrypt, envelope.msgSignature)).toBe(
        true,
      );
    });

    it('replaces an empty nonce with a random numeric one that is signed', () => {
      const envelope = crypt.encryptReply('x', { nonce: '', timestamp: 1 });
      expect(envelope.nonce).toMatch(/^\d+$/);
      expect(
        verifyMsgSignature(TOKEN, '1', envelope.nonce, envelope.encrypt, envelope.msgSignature),
      ).toBe(true);
    });

    it.each([[-1], [1.5], [Number.NaN], ['12a'], ['']])('refuses the timestamp %p', (timestamp) => {
      expect(() => crypt.encryptReply('x', { nonce: NONCE, timestamp })).toThrow(RangeError);
    });
  });

  describe('decrypt failures (each with its own reason)', () => {
    const message = '<xml><Content>secret plaintext</Content></xml>';
    const encrypt = crypt.encrypt(message, { random: Buffer.alloc(16, 9) });
    const signature = computeSignature(TOKEN, TIMESTAMP, NONCE, encrypt);

    it('accepts the untampered message (control)', () => {
      expect(crypt.decrypt(signature, TIMESTAMP, NONCE, encrypt).message).toBe(message);
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['empty', ''],
    ])('EMPTY for a %s ciphertext (checked before the signature)', (_label, value) => {
      expect(reasonOf(() => crypt.decrypt('garbage', TIMESTAMP, NONCE, value))).toBe('EMPTY');
    });

    it('BAD_SIGNATURE for a wrong msg_signature', () => {
      const wrong = computeSignature(TOKEN, TIMESTAMP, NONCE, `${encrypt}x`);
      expect(reasonOf(() => crypt.decrypt(wrong, TIMESTAMP, NONCE, encrypt))).toBe('BAD_SIGNATURE');
      expect(reasonOf(() => crypt.decrypt(undefined, TIMESTAMP, NONCE, encrypt))).toBe(
        'BAD_SIGNATURE',
      );
      expect(reasonOf(() => crypt.decrypt(signature, undefined, NONCE, encrypt))).toBe(
        'BAD_SIGNATURE',
      );
    });

    it('BAD_SIGNATURE for a non-string ciphertext (such as a repeated element)', () => {
      expect(reasonOf(() => crypt.decrypt(signature, TIMESTAMP, NONCE, [encrypt, encrypt]))).toBe(
        'BAD_SIGNATURE',
      );
    });

    it('checks the signature before base64 (an unsigned non-base64 value is BAD_SIGNATURE)', () => {
      expect(reasonOf(() => crypt.decrypt(signature, TIMESTAMP, NONCE, 'not base64!'))).toBe(
        'BAD_SIGNATURE',
      );
    });

    it.each([
      ['non-alphabet characters', 'not base64!'],
      ['missing padding', 'QUJDRA'],
      ['short padding', 'QUJDRA='],
      ['extra padding', 'QUJDRA==='],
      ['URL-safe characters', 'QUJD-_=='],
      ['embedded whitespace', 'QUJD RA=='],
      ['a trailing newline', 'QUJDRA==\n'],
      ['a wrong length', `${encrypt}A`],
    ])('BAD_BASE64 for %s (re-signed)', (_label, value) => {
      const signed = computeSignature(TOKEN, TIMESTAMP, NONCE, value);
      expect(reasonOf(() => crypt.decrypt(signed, TIMESTAMP, NONCE, value))).toBe('BAD_BASE64');
    });

    it.each([
      ['truncated by 16 bytes', Buffer.from(encrypt, 'base64').subarray(16).toString('base64')],
      ['truncated by 1 byte', Buffer.from(encrypt, 'base64').subarray(1).toString('base64')],
      ['3 bytes', 'QUJD'],
    ])('BAD_LENGTH for a ciphertext %s (re-signed)', (_label, value) => {
      const signed = computeSignature(TOKEN, TIMESTAMP, NONCE, value);
      expect(reasonOf(() => crypt.decrypt(signed, TIMESTAMP, NONCE, value))).toBe('BAD_LENGTH');
    });

    describe('flipped ciphertext bytes, re-signed (CBC flips the same bit one block later)', () => {
      // Plaintext: random 0-15, msg_len 16-19, message 20-65 (46 bytes), appid 66-83, pad 84-95.
      it('the last pad byte 0x0c -> 0x0d: BAD_PADDING', () => {
        expect(decryptRaw(encrypt, KEY)[95]).toBe(12);
        const tampered = flip(encrypt, 95 - 16, 0x01);
        expect(
          reasonOf(() => crypt.decrypt(tampered.signature, TIMESTAMP, NONCE, tampered.encrypt)),
        ).toBe('BAD_PADDING');
      });

      it('the top byte of msg_len: BAD_MESSAGE_LENGTH', () => {
        const tampered = flip(encrypt, 16 - 16, 0x80);
        expect(
          reasonOf(() => crypt.decrypt(tampered.signature, TIMESTAMP, NONCE, tampered.encrypt)),
        ).toBe('BAD_MESSAGE_LENGTH');
      });

      it('an AppID byte: APPID_MISMATCH', () => {
        const tampered = flip(encrypt, 70 - 16, 0x20);
        expect(
          reasonOf(() => crypt.decrypt(tampered.signature, TIMESTAMP, NONCE, tampered.encrypt)),
        ).toBe('APPID_MISMATCH');
      });
    });

    describe('crafted plaintexts', () => {
      const valid = layout(Buffer.from('hello'), APP_ID);

      function decryptCrafted(plaintext: Buffer): string {
        const { encrypt: crafted, signature: signed } = craft(plaintext);
        try {
          return crypt.decrypt(signed, TIMESTAMP, NONCE, crafted).message;
        } catch (error: unknown) {
          if (error instanceof WechatCryptoError) return error.reason;
          throw error;
        }
      }

      it('accepts the crafted layout (control)', () => {
        expect(decryptCrafted(valid)).toBe('hello');
      });

      it('BAD_PADDING when the last byte is 0', () => {
        const plain = Buffer.from(valid);
        plain[plain.length - 1] = 0;
        expect(decryptCrafted(plain)).toBe('BAD_PADDING');
      });

      it('BAD_PADDING when the last byte is 33 (> 32)', () => {
        const plain = Buffer.concat([valid, Buffer.alloc(32, 33)]);
        expect(decryptCrafted(plain)).toBe('BAD_PADDING');
      });

      it('BAD_PADDING when the pad bytes differ', () => {
        const plain = Buffer.from(valid);
        const pad = plain[plain.length - 1];
        expect(pad).toBeGreaterThan(1);
        plain[plain.length - pad] = pad + 1;
        expect(decryptCrafted(plain)).toBe('BAD_PADDING');
      });

      it('BAD_MESSAGE_LENGTH when the unpadded text is shorter than 20 bytes', () => {
        expect(decryptCrafted(Buffer.alloc(32, 32))).toBe('BAD_MESSAGE_LENGTH');
        const short = Buffer.concat([Buffer.alloc(19, 1), Buffer.alloc(13, 13)]);
        expect(decryptCrafted(short)).toBe('BAD_MESSAGE_LENGTH');
      });

      it('BAD_MESSAGE_LENGTH when msg_len runs past the unpadded text', () => {
        expect(decryptCrafted(layout(Buffer.from('hello'), APP_ID, 1000))).toBe(
          'BAD_MESSAGE_LENGTH',
        );
        // One byte too long leaves an AppID that is one byte short: still caught.
        expect(decryptCrafted(layout(Buffer.from('hello'), '', 6))).toBe('BAD_MESSAGE_LENGTH');
      });

      it('APPID_MISMATCH for another AppID, a different case, a prefix or extra bytes', () => {
        expect(decryptCrafted(layout(Buffer.from('hello'), 'wx0000000000000000'))).toBe(
          'APPID_MISMATCH',
        );
        expect(decryptCrafted(layout(Buffer.from('hello'), APP_ID.toUpperCase()))).toBe(
          'APPID_MISMATCH',
        );
        expect(decryptCrafted(layout(Buffer.from('hello'), APP_ID.slice(0, -1)))).toBe(
          'APPID_MISMATCH',
        );
        expect(decryptCrafted(layout(Buffer.from('hello'), `${APP_ID}x`))).toBe('APPID_MISMATCH');
        expect(decryptCrafted(layout(Buffer.from('hello'), ''))).toBe('APPID_MISMATCH');
      });

      it('APPID_MISMATCH for a message encrypted for another AppID', () => {
        const other = new MsgCrypt({ token: TOKEN, encodingAESKey: KEY, appId: 'wxother' });
        const foreign = other.encrypt('hi');
        const signed = computeSignature(TOKEN, TIMESTAMP, NONCE, foreign);
        expect(reasonOf(() => crypt.decrypt(signed, TIMESTAMP, NONCE, foreign))).toBe(
          'APPID_MISMATCH',
        );
      });
    });

    it('never puts the token, key, ciphertext or plaintext in the error message', () => {
      const errors = [
        thrown(() => crypt.decrypt('0'.repeat(40), TIMESTAMP, NONCE, encrypt)),
        thrown(() => crypt.decrypt(signature, TIMESTAMP, NONCE, '')),
        thrown(() => {
          const t = flip(encrypt, 70 - 16, 0x20);
          crypt.decrypt(t.signature, TIMESTAMP, NONCE, t.encrypt);
        }),
      ];
      for (const error of errors) {
        expect(error).toBeInstanceOf(WechatError);
        expect(error.code).toBe('WECHAT_CRYPTO');
        expect(error.name).toBe('WechatCryptoError');
        for (const secret of [TOKEN, KEY, encrypt.slice(0, 16), 'secret plaintext', APP_ID]) {
          expect(error.message).not.toContain(secret);
        }
      }
    });
  });

  describe('key validation', () => {
    it.each([
      ['42 characters', KEY.slice(0, 42), 'must be 43 characters, got 42'],
      ['44 characters', `${KEY}A`, 'must be 43 characters, got 44'],
      ['an empty key', '', 'must be 43 characters, got 0'],
      ['a "+" in it', `${KEY.slice(0, 42)}+`, 'must contain only the characters A-Z, a-z and 0-9'],
      ['a "=" in it', `${KEY.slice(0, 42)}=`, 'must contain only the characters A-Z, a-z and 0-9'],
      [
        'a non-ASCII letter',
        `${KEY.slice(0, 42)}é`,
        'must contain only the characters A-Z, a-z and 0-9',
      ],
    ])('BAD_KEY for %s, without echoing the key', (_label, encodingAESKey, expected) => {
      const error = thrown(() => new MsgCrypt({ token: TOKEN, encodingAESKey, appId: APP_ID }));
      expect(error.reason).toBe('BAD_KEY');
      expect(error.message).toContain(`EncodingAESKey ${expected}`);
      if (encodingAESKey.length > 0) expect(error.message).not.toContain(encodingAESKey);
      expect(error.message).not.toContain(KEY.slice(0, 20));
    });

    it('BAD_KEY for an invalid previous key, naming it', () => {
      const error = thrown(
        () =>
          new MsgCrypt({
            token: TOKEN,
            encodingAESKey: KEY,
            appId: APP_ID,
            previousEncodingAESKey: OLD_KEY.slice(1),
          }),
      );
      expect(error.reason).toBe('BAD_KEY');
      expect(error.message).toBe('previous EncodingAESKey must be 43 characters, got 42');
    });

    it.each([
      ['an empty token', { token: '', encodingAESKey: KEY, appId: APP_ID }, 'token'],
      ['an empty appId', { token: TOKEN, encodingAESKey: KEY, appId: '' }, 'appId'],
    ])('BAD_KEY for %s', (_label, options, field) => {
      const error = thrown(() => new MsgCrypt(options));
      expect(error.reason).toBe('BAD_KEY');
      expect(error.message).toBe(`${field} must be a non-empty string`);
    });

    it('treats an empty previous key as none', () => {
      const withEmpty = new MsgCrypt({
        token: TOKEN,
        encodingAESKey: KEY,
        appId: APP_ID,
        previousEncodingAESKey: '',
      });
      expect(withEmpty.hasPreviousKey).toBe(false);
      expect(reasonOf(() => withEmpty.encrypt('x', { keyId: 'previous' }))).toBe('BAD_KEY');
    });
  });

  describe('key rotation', () => {
    const old = new MsgCrypt({ token: TOKEN, encodingAESKey: OLD_KEY, appId: APP_ID });
    const rotated = new MsgCrypt({
      token: TOKEN,
      encodingAESKey: KEY,
      appId: APP_ID,
      previousEncodingAESKey: OLD_KEY,
    });

    it('decrypts a message encrypted with the previous key, reporting keyId "previous"', () => {
      const encrypt = old.encrypt('from before the rotation');
      const signature = computeSignature(TOKEN, TIMESTAMP, NONCE, encrypt);
      expect(rotated.hasPreviousKey).toBe(true);
      expect(rotated.decrypt(signature, TIMESTAMP, NONCE, encrypt)).toEqual({
        message: 'from before the rotation',
        keyId: 'previous',
      });
    });

    it('prefers the current key', () => {
      const encrypt = crypt.encrypt('new');
      const signature = computeSignature(TOKEN, TIMESTAMP, NONCE, encrypt);
      expect(rotated.decrypt(signature, TIMESTAMP, NONCE, encrypt).keyId).toBe('current');
    });

    it('encrypts with the key it is told to (the one the request used)', () => {
      const envelope = rotated.encryptReply('reply', { nonce: NONCE, keyId: 'previous' });
      expect(
        old.decrypt(envelope.msgSignature, envelope.timestamp, envelope.nonce, envelope.encrypt)
          .message,
      ).toBe('reply');
      const current = rotated.encryptReply('reply', { nonce: NONCE });
      expect(
        reasonOf(() =>
          old.decrypt(current.msgSignature, current.timestamp, current.nonce, current.encrypt),
        ),
      ).not.toBe('BAD_SIGNATURE');
    });

    it("throws the current key's error when both keys fail", () => {
      // Encrypted with the current key for another AppID: the current key says APPID_MISMATCH,
      // the previous key (deterministically, with this fixed random) says something else.
      const foreign = new MsgCrypt({ token: TOKEN, encodingAESKey: KEY, appId: 'wxother' });
      const encrypt = foreign.encrypt('hi', { random: Buffer.alloc(16, 3) });
      const signature = computeSignature(TOKEN, TIMESTAMP, NONCE, encrypt);
      const previousOnly = new MsgCrypt({ token: TOKEN, encodingAESKey: OLD_KEY, appId: APP_ID });
      expect(reasonOf(() => previousOnly.decrypt(signature, TIMESTAMP, NONCE, encrypt))).not.toBe(
        'APPID_MISMATCH',
      );
      expect(reasonOf(() => rotated.decrypt(signature, TIMESTAMP, NONCE, encrypt))).toBe(
        'APPID_MISMATCH',
      );
    });

    it('fails for a message from an unrelated key', () => {
      const stranger = new MsgCrypt({ token: TOKEN, encodingAESKey: OTHER_KEY, appId: APP_ID });
      const encrypt = stranger.encrypt('hi', { random: Buffer.alloc(16, 5) });
      const signature = computeSignature(TOKEN, TIMESTAMP, NONCE, encrypt);
      expect(() => rotated.decrypt(signature, TIMESTAMP, NONCE, encrypt)).toThrow(
        WechatCryptoError,
      );
    });
  });
});
