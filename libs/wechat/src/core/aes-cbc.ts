import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';

const BLOCK = 16;
const ALGORITHM = 'aes-256-cbc';

/**
 * AES-256-CBC with one fixed key and IV for many messages, without padding, on one long-lived
 * OpenSSL context per direction. A new `Cipheriv`/`Decipheriv` per message costs about five times
 * the AES work of a typical push; this costs a plain `update()`.
 *
 * A CBC context chains every block to the previous ciphertext block, across `update()` calls. So
 * each message starts from the IV after all, the first block is corrected by the difference between
 * the context's chaining value `chain` (the last ciphertext block it saw) and the IV:
 * - encrypt: the context computes `E(X ⊕ chain)`; feeding `X = P₁ ⊕ IV ⊕ chain` gives `E(P₁ ⊕ IV)`;
 * - decrypt: the context returns `D(C₁) ⊕ chain`; XOR with `chain ⊕ IV` gives `D(C₁) ⊕ IV = P₁`.
 * Later blocks chain within the message as usual, so the output is byte for byte what a fresh
 * context per message gives (a spec checks it against `createCipheriv`/`createDecipheriv`).
 *
 * Input must be a non-empty multiple of 16 bytes: a partial block would stay inside the context and
 * shift every later message. Not for concurrent use across threads (Node runs it on one).
 */
export class AesCbc {
  private encryptor: Cipher;
  private decryptor: Decipher;
  /** The last ciphertext block each context has seen (its chaining value). */
  private readonly encryptChain = Buffer.alloc(BLOCK);
  private readonly decryptChain = Buffer.alloc(BLOCK);
  /** `chain ⊕ IV` of the message being encrypted. */
  private readonly mask = Buffer.alloc(BLOCK);

  /**
   * @param key 32 bytes.
   * @param iv 16 bytes.
   */
  constructor(
    private readonly key: Buffer,
    private readonly iv: Buffer,
  ) {
    this.encryptor = this.newEncryptor();
    this.decryptor = this.newDecryptor();
  }

  /**
   * Encrypts `plaintext` (left unchanged) from the IV.
   *
   * @throws RangeError when `plaintext` is not a non-empty multiple of 16 bytes.
   */
  encrypt(plaintext: Buffer): Buffer {
    assertBlocks(plaintext);
    // The first block is corrected in place for the call, then restored.
    const { mask } = this;
    for (let i = 0; i < BLOCK; i += 1) mask[i] = this.encryptChain[i] ^ this.iv[i];
    xorBlock(plaintext, mask);
    let ciphertext: Buffer;
    try {
      ciphertext = this.encryptor.update(plaintext);
    } catch (error: unknown) {
      this.encryptor = this.newEncryptor();
      throw error;
    } finally {
      xorBlock(plaintext, mask);
    }
    if (ciphertext.length !== plaintext.length) {
      // Cannot happen for whole blocks without padding; never let the chain drift if it does.
      this.encryptor = this.newEncryptor();
      throw new RangeError('AES-CBC returned a ciphertext of an unexpected length');
    }
    ciphertext.copy(this.encryptChain, 0, ciphertext.length - BLOCK);
    return ciphertext;
  }

  /**
   * Decrypts `ciphertext` (left unchanged) from the IV.
   *
   * @throws RangeError when `ciphertext` is not a non-empty multiple of 16 bytes.
   */
  decrypt(ciphertext: Buffer): Buffer {
    assertBlocks(ciphertext);
    let plaintext: Buffer;
    try {
      plaintext = this.decryptor.update(ciphertext);
    } catch (error: unknown) {
      this.decryptor = this.newDecryptor();
      throw error;
    }
    if (plaintext.length !== ciphertext.length) {
      this.decryptor = this.newDecryptor();
      throw new RangeError('AES-CBC returned a plaintext of an unexpected length');
    }
    for (let i = 0; i < BLOCK; i += 1) plaintext[i] ^= this.decryptChain[i] ^ this.iv[i];
    ciphertext.copy(this.decryptChain, 0, ciphertext.length - BLOCK);
    return plaintext;
  }

  private newEncryptor(): Cipher {
    this.iv.copy(this.encryptChain);
    return createCipheriv(ALGORITHM, this.key, this.iv).setAutoPadding(false);
  }

  private newDecryptor(): Decipher {
    this.iv.copy(this.decryptChain);
    return createDecipheriv(ALGORITHM, this.key, this.iv).setAutoPadding(false);
  }
}

function assertBlocks(data: Buffer): void {
  if (data.length === 0 || data.length % BLOCK !== 0) {
    throw new RangeError(`AES-CBC input must be a non-empty multiple of ${BLOCK} bytes`);
  }
}

/** `target[0..16) ^= mask`. */
function xorBlock(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < BLOCK; i += 1) target[i] ^= mask[i];
}
