import { randomBytes } from 'node:crypto';
import { WechatCryptoError } from '../errors/wechat-crypto.error';
import { AesCbc } from './aes-cbc';
import { decodeStrictBase64 } from './base64';
import { computeSignature, verifyMsgSignature } from './wechat-signature';
import { stripInvalidXmlChars, toCdata } from './xml-text';

/** Credentials of safe mode, as configured in the Official Account admin console. */
export interface MsgCryptOptions {
  /** The callback Token (the same one the URL `signature` uses). */
  token: string;
  /** The current 43-character EncodingAESKey. */
  encodingAESKey: string;
  /** The AppID expected at the end of every decrypted message (and appended when encrypting). */
  appId: string;
  /** The EncodingAESKey in use before the last rotation, tried when the current key fails. */
  previousEncodingAESKey?: string;
}

/** Which configured EncodingAESKey a message was (or is to be) encrypted with. */
export type MsgCryptKeyId = 'current' | 'previous';

/** A decrypted message and the key that opened it (encrypt the reply with the same key). */
export interface DecryptResult {
  /** The UTF-8 plaintext (the inner XML of a push, or the echostr). */
  message: string;
  /** The key that decrypted it. */
  keyId: MsgCryptKeyId;
}

/** Options of {@link MsgCrypt.encrypt}. */
export interface MsgCryptEncryptOptions {
  /** The key to encrypt with. Default `'current'`. */
  keyId?: MsgCryptKeyId;
  /**
   * The 16 random leading bytes. Leave unset in production (16 fresh CSPRNG bytes each call, never
   * reused); set it only to reproduce a test vector.
   */
  random?: Buffer;
}

/** Options of {@link MsgCrypt.encryptReply}. */
export interface EncryptReplyOptions extends MsgCryptEncryptOptions {
  /** The nonce to sign with; echo the request's `nonce`. An empty nonce is replaced by a random one. */
  nonce: string;
  /** Unix seconds, as a number or a string of digits. Default: now. */
  timestamp?: number | string;
}

/** An encrypted passive reply: its parts and the envelope XML to send (protocol.md §3.1). */
export interface EncryptedReplyEnvelope {
  /** The base64 ciphertext. */
  encrypt: string;
  /** `sha1(sort(token, timestamp, nonce, encrypt))`. */
  msgSignature: string;
  /** The reply's `TimeStamp` (unix seconds). */
  timestamp: string;
  /** The reply's `Nonce`. */
  nonce: string;
  /** The `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>` body to answer with. */
  xml: string;
}

const ENCODING_AES_KEY_LENGTH = 43;
const ENCODING_AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
const AES_KEY_BYTES = 32;
const IV_BYTES = 16;
const RANDOM_BYTES = 16;
/** random (16) + msg_len (4). */
const HEADER_BYTES = 20;
/** WeChat's PKCS#7 block size (not AES's 16). */
const PAD_BLOCK = 32;
const TIMESTAMP_PATTERN = /^\d+$/;

/**
 * WeChat's safe-mode message crypto (protocol.md §3), without any framework: verifies
 * `msg_signature`, decrypts pushes (current key, then the previous one during a key rotation),
 * and encrypts replies. AES-256-CBC, IV = first 16 key bytes, PKCS#7 with 32-byte blocks,
 * plaintext `random(16) ‖ uint32BE(msg_len) ‖ msg ‖ appId`.
 *
 * Keys are validated and decoded once, in the constructor.
 *
 * @example
 * ```ts
 * const crypt = new MsgCrypt({ token, encodingAESKey, appId });
 * const { message, keyId } = crypt.decrypt(query.msg_signature, query.timestamp, query.nonce, encrypt);
 * const envelope = crypt.encryptReply(replyXml, { nonce: query.nonce, keyId });
 * ```
 */
export class MsgCrypt {
  private readonly token: string;
  private readonly appId: Buffer;
  private readonly current: AesCbc;
  private readonly previous: AesCbc | undefined;

  /**
   * @throws WechatCryptoError `BAD_KEY` when the token or AppID is empty, or an EncodingAESKey is
   * not 43 characters of `[A-Za-z0-9]` decoding to 32 bytes. The message never echoes the key.
   */
  constructor(options: MsgCryptOptions) {
    if (typeof options.token !== 'string' || options.token === '') {
      throw new WechatCryptoError('BAD_KEY', 'token must be a non-empty string');
    }
    if (typeof options.appId !== 'string' || options.appId === '') {
      throw new WechatCryptoError('BAD_KEY', 'appId must be a non-empty string');
    }
    this.token = options.token;
    this.appId = Buffer.from(options.appId, 'utf8');
    this.current = decodeKey(options.encodingAESKey, 'EncodingAESKey');
    const previous = options.previousEncodingAESKey;
    this.previous =
      previous === undefined || previous === ''
        ? undefined
        : decodeKey(previous, 'previous EncodingAESKey');
  }

  /** Whether a previous EncodingAESKey is configured (a key rotation is in progress). */
  get hasPreviousKey(): boolean {
    return this.previous !== undefined;
  }

  /**
   * Verifies `msg_signature` over `encrypt` and decrypts it, trying the current key and then the
   * previous one. Checks, in order: `EMPTY`, `BAD_SIGNATURE`, `BAD_BASE64`, `BAD_LENGTH`, then per
   * key `BAD_PADDING`, `BAD_MESSAGE_LENGTH`, `APPID_MISMATCH`. When every key fails, the current
   * key's error is thrown.
   *
   * @throws WechatCryptoError with the `reason` of the first failed check.
   */
  decrypt(
    msgSignature: unknown,
    timestamp: unknown,
    nonce: unknown,
    encrypt: unknown,
  ): DecryptResult {
    if (encrypt === undefined || encrypt === null || encrypt === '') {
      throw new WechatCryptoError('EMPTY', 'The encrypted message is missing or empty');
    }
    if (!verifyMsgSignature(this.token, timestamp, nonce, encrypt, msgSignature)) {
      throw new WechatCryptoError('BAD_SIGNATURE', 'msg_signature does not match the message');
    }
    // verifyMsgSignature accepted it, so encrypt is a non-empty string.
    const ciphertext = decodeCiphertext(encrypt as string);
    const first = this.decryptWith(this.current, ciphertext);
    if (typeof first === 'string') return { message: first, keyId: 'current' };
    if (this.previous) {
      const second = this.decryptWith(this.previous, ciphertext);
      if (typeof second === 'string') return { message: second, keyId: 'previous' };
    }
    throw first;
  }

  /**
   * WeCom-style URL verification (a GET carrying `msg_signature`): verifies and decrypts `echostr`
   * and returns the plaintext to answer with. Official Accounts send a plain `echostr` instead
   * (protocol.md §1); this is the defensive path.
   *
   * @throws WechatCryptoError exactly as {@link MsgCrypt.decrypt}.
   */
  decryptEchoStr(
    msgSignature: unknown,
    timestamp: unknown,
    nonce: unknown,
    echostr: unknown,
  ): string {
    return this.decrypt(msgSignature, timestamp, nonce, echostr).message;
  }

  /**
   * Encrypts `message` to the base64 `Encrypt` form.
   *
   * @throws WechatCryptoError `BAD_KEY` when `keyId` is `'previous'` but no previous key is configured.
   * @throws RangeError when `random` is given but is not 16 bytes.
   */
  encrypt(message: string, options: MsgCryptEncryptOptions = {}): string {
    const aes = this.keyFor(options.keyId ?? 'current');
    const random = options.random ?? randomBlock();
    if (random.length !== RANDOM_BYTES) {
      throw new RangeError(`random must be exactly ${RANDOM_BYTES} bytes, got ${random.length}`);
    }
    const messageBytes = Buffer.byteLength(message, 'utf8');
    const unpadded = HEADER_BYTES + messageBytes + this.appId.length;
    const pad = PAD_BLOCK - (unpadded % PAD_BLOCK);
    const plaintext = Buffer.allocUnsafe(unpadded + pad);
    random.copy(plaintext, 0, 0, RANDOM_BYTES);
    plaintext.writeUInt32BE(messageBytes, RANDOM_BYTES);
    plaintext.write(message, HEADER_BYTES, messageBytes, 'utf8');
    this.appId.copy(plaintext, HEADER_BYTES + messageBytes);
    plaintext.fill(pad, unpadded);
    return aes.encrypt(plaintext).toString('base64');
  }

  /**
   * Encrypts a passive reply and wraps it in the signed envelope (protocol.md §3.1):
   * `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`, where
   * `MsgSignature = sha1(sort(token, timestamp, nonce, encrypt))`. Characters XML forbids are
   * removed from the nonce before it is signed, so the envelope always verifies.
   *
   * @throws WechatCryptoError `BAD_KEY` when `keyId` names a key that is not configured.
   * @throws RangeError when `timestamp` is not a non-negative integer (or string of digits).
   */
  encryptReply(replyXml: string, options: EncryptReplyOptions): EncryptedReplyEnvelope {
    const timestamp = normalizeTimestamp(options.timestamp);
    const nonce = stripInvalidXmlChars(options.nonce) || String(randomBytes(4).readUInt32BE(0));
    const encrypt = this.encrypt(replyXml, options);
    const msgSignature = computeSignature(this.token, timestamp, nonce, encrypt);
    const xml =
      '<xml><Encrypt><![CDATA[' +
      encrypt +
      ']]></Encrypt><MsgSignature><![CDATA[' +
      msgSignature +
      ']]></MsgSignature><TimeStamp>' +
      timestamp +
      '</TimeStamp><Nonce>' +
      toCdata(nonce) +
      '</Nonce></xml>';
    return { encrypt, msgSignature, timestamp, nonce, xml };
  }

  private keyFor(keyId: MsgCryptKeyId): AesCbc {
    if (keyId === 'current') return this.current;
    if (keyId === 'previous' && this.previous) return this.previous;
    throw new WechatCryptoError('BAD_KEY', `No ${String(keyId)} EncodingAESKey is configured`);
  }

  /** The message, or the error of the first failed check (returned, so key fallback needs no catch). */
  private decryptWith(aes: AesCbc, ciphertext: Buffer): string | WechatCryptoError {
    const plaintext = aes.decrypt(ciphertext);
    const length = plaintext.length;
    const pad = plaintext[length - 1];
    if (pad < 1 || pad > PAD_BLOCK) {
      return new WechatCryptoError('BAD_PADDING', 'The decrypted message has invalid padding');
    }
    for (let i = length - pad; i < length - 1; i += 1) {
      if (plaintext[i] !== pad) {
        return new WechatCryptoError('BAD_PADDING', 'The decrypted message has invalid padding');
      }
    }
    const unpadded = length - pad;
    if (unpadded < HEADER_BYTES) {
      return new WechatCryptoError(
        'BAD_MESSAGE_LENGTH',
        'The decrypted message is shorter than its 20-byte header',
      );
    }
    const messageBytes = plaintext.readUInt32BE(RANDOM_BYTES);
    const messageEnd = HEADER_BYTES + messageBytes;
    if (messageEnd > unpadded) {
      return new WechatCryptoError(
        'BAD_MESSAGE_LENGTH',
        'The decrypted message is shorter than its declared length',
      );
    }
    if (!this.appId.equals(plaintext.subarray(messageEnd, unpadded))) {
      return new WechatCryptoError(
        'APPID_MISMATCH',
        'The decrypted message does not end with the configured AppID',
      );
    }
    return plaintext.toString('utf8', HEADER_BYTES, messageEnd);
  }
}

/** Random bytes are drawn from the CSPRNG in batches; each block is handed out once. */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** 16 fresh random bytes (`crypto.randomBytes`, fetched 4 KiB at a time: one call per 256 blocks). */
function randomBlock(): Buffer {
  if (randomOffset + RANDOM_BYTES > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  const block = randomPool.subarray(randomOffset, randomOffset + RANDOM_BYTES);
  randomOffset += RANDOM_BYTES;
  return block;
}

/** Validates an EncodingAESKey and returns its AES-256-CBC context (IV = the first 16 key bytes). */
function decodeKey(encodingAESKey: unknown, label: string): AesCbc {
  if (typeof encodingAESKey !== 'string') {
    throw new WechatCryptoError(
      'BAD_KEY',
      `${label} must be a string of ${ENCODING_AES_KEY_LENGTH} characters`,
    );
  }
  if (encodingAESKey.length !== ENCODING_AES_KEY_LENGTH) {
    throw new WechatCryptoError(
      'BAD_KEY',
      `${label} must be ${ENCODING_AES_KEY_LENGTH} characters, got ${encodingAESKey.length}`,
    );
  }
  if (!ENCODING_AES_KEY_PATTERN.test(encodingAESKey)) {
    throw new WechatCryptoError(
      'BAD_KEY',
      `${label} must contain only the characters A-Z, a-z and 0-9`,
    );
  }
  // Lenient decoding on purpose: real keys are often non-canonical base64 (protocol.md §3).
  const key = Buffer.from(encodingAESKey + '=', 'base64');
  if (key.length !== AES_KEY_BYTES) {
    throw new WechatCryptoError(
      'BAD_KEY',
      `${label} must decode to ${AES_KEY_BYTES} bytes, got ${key.length}`,
    );
  }
  return new AesCbc(key, Buffer.from(key.subarray(0, IV_BYTES)));
}

function decodeCiphertext(encrypt: string): Buffer {
  const ciphertext = decodeStrictBase64(encrypt);
  if (ciphertext === undefined) {
    throw new WechatCryptoError('BAD_BASE64', 'The encrypted message is not valid base64');
  }
  if (ciphertext.length === 0 || ciphertext.length % PAD_BLOCK !== 0) {
    throw new WechatCryptoError(
      'BAD_LENGTH',
      `The ciphertext must be a non-empty multiple of ${PAD_BLOCK} bytes, got ${ciphertext.length}`,
    );
  }
  return ciphertext;
}

function normalizeTimestamp(timestamp: number | string | undefined): string {
  if (timestamp === undefined) return String(Math.floor(Date.now() / 1000));
  if (typeof timestamp === 'number' && Number.isSafeInteger(timestamp) && timestamp >= 0) {
    return String(timestamp);
  }
  if (typeof timestamp === 'string' && TIMESTAMP_PATTERN.test(timestamp)) return timestamp;
  throw new RangeError('timestamp must be a non-negative integer number of seconds');
}
