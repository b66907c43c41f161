import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AesCbc } from './aes-cbc';
import { prng } from '../../../../test/support/prng';

/** A seeded generator, so a failure names a reproducible case. */
function bytes(next: () => number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) buffer[i] = Math.floor(next() * 256);
  return buffer;
}

/** What a fresh context per message gives: the reference. */
function freshEncrypt(key: Buffer, iv: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

function freshDecrypt(key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

describe('AesCbc (one long-lived context per direction)', () => {
  const key = Buffer.from(
    '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    'hex',
  );
  const iv = key.subarray(0, 16);

  it('matches the NIST SP 800-38A F.2.5 vector (CBC-AES256.Encrypt, first block) with its IV', () => {
    const nistKey = Buffer.from(
      '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
      'hex',
    );
    const nistIv = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const aes = new AesCbc(nistKey, nistIv);
    const plaintext = Buffer.from('6bc1bee22e409f96e93d7e117393172a', 'hex');
    const expected = 'f58c4c04d6e5f1ba779eabfb5f7bfbd6';
    expect(aes.encrypt(plaintext).toString('hex')).toBe(expected);
    // The second message starts from the IV again, not from the first one's last block.
    expect(aes.encrypt(plaintext).toString('hex')).toBe(expected);
    expect(aes.decrypt(Buffer.from(expected, 'hex')).toString('hex')).toBe(
      plaintext.toString('hex'),
    );
    expect(aes.decrypt(Buffer.from(expected, 'hex')).toString('hex')).toBe(
      plaintext.toString('hex'),
    );
  });

  it('gives byte for byte what a fresh context per message gives, over 2000 interleaved messages', () => {
    const next = prng(20261201);
    const aes = new AesCbc(key, iv);
    for (let n = 0; n < 2000; n += 1) {
      const length = 16 * (1 + Math.floor(next() * 64));
      const data = bytes(next, length);
      if (next() < 0.5) {
        expect({ n, out: aes.encrypt(data).toString('hex') }).toEqual({
          n,
          out: freshEncrypt(key, iv, data).toString('hex'),
        });
      } else {
        // Any ciphertext decrypts (garbage in, garbage out), exactly as a fresh context would.
        expect({ n, out: aes.decrypt(data).toString('hex') }).toEqual({
          n,
          out: freshDecrypt(key, iv, data).toString('hex'),
        });
      }
    }
  });

  it('round-trips and leaves its input unchanged', () => {
    const aes = new AesCbc(key, iv);
    const plaintext = randomBytes(96);
    const before = Buffer.from(plaintext);
    const ciphertext = aes.encrypt(plaintext);
    expect(plaintext.equals(before)).toBe(true);
    const copy = Buffer.from(ciphertext);
    expect(aes.decrypt(ciphertext).equals(plaintext)).toBe(true);
    expect(ciphertext.equals(copy)).toBe(true);
  });

  it('keeps two instances with different keys independent', () => {
    const otherKey = randomBytes(32);
    const a = new AesCbc(key, iv);
    const b = new AesCbc(otherKey, otherKey.subarray(0, 16));
    const plaintext = randomBytes(64);
    for (let i = 0; i < 5; i += 1) {
      expect(a.encrypt(plaintext).equals(freshEncrypt(key, iv, plaintext))).toBe(true);
      expect(
        b.encrypt(plaintext).equals(freshEncrypt(otherKey, otherKey.subarray(0, 16), plaintext)),
      ).toBe(true);
    }
  });

  it.each([0, 1, 15, 17, 33])(
    'refuses %i bytes with a RangeError and stays in step afterwards',
    (length) => {
      const aes = new AesCbc(key, iv);
      const plaintext = randomBytes(32);
      const expected = freshEncrypt(key, iv, plaintext);
      expect(aes.encrypt(plaintext).equals(expected)).toBe(true);
      expect(() => aes.encrypt(Buffer.alloc(length))).toThrow(RangeError);
      expect(() => aes.decrypt(Buffer.alloc(length))).toThrow(RangeError);
      expect(aes.encrypt(plaintext).equals(expected)).toBe(true);
      expect(aes.decrypt(expected).equals(plaintext)).toBe(true);
    },
  );
});
