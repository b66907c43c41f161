import { WechatError } from './wechat.error';

/**
 * Why a safe-mode (AES) operation failed. Stable values, one per check of protocol.md §3:
 *
 * - `BAD_KEY`: the Token, AppID or an EncodingAESKey is unusable (or no such key is configured).
 * - `BAD_SIGNATURE`: `msg_signature` does not match `sha1(sort(token, timestamp, nonce, encrypt))`.
 * - `BAD_BASE64`: the ciphertext is not standard base64 with correct `=` padding.
 * - `BAD_LENGTH`: the decoded ciphertext is empty or not a multiple of 32 bytes.
 * - `BAD_PADDING`: the PKCS#7 (block size 32) padding of the plaintext is invalid.
 * - `BAD_MESSAGE_LENGTH`: the plaintext is too short for its header or its `msg_len`.
 * - `APPID_MISMATCH`: the trailing id is not the configured AppID.
 * - `EMPTY`: the ciphertext is missing or empty.
 */
export type WechatCryptoErrorReason =
  | 'BAD_KEY'
  | 'BAD_SIGNATURE'
  | 'BAD_BASE64'
  | 'BAD_LENGTH'
  | 'BAD_PADDING'
  | 'BAD_MESSAGE_LENGTH'
  | 'APPID_MISMATCH'
  | 'EMPTY';

/**
 * A signature, key or ciphertext check of WeChat's safe mode failed. `reason` says which one.
 * The message never contains key material, the Token, the ciphertext or the plaintext.
 */
export class WechatCryptoError extends WechatError {
  readonly code = 'WECHAT_CRYPTO';

  /** Which check failed. */
  readonly reason: WechatCryptoErrorReason;

  /**
   * @param reason - which check failed.
   * @param message - a human-readable explanation free of secrets and message content.
   * @param options - the underlying error, if any.
   */
  constructor(reason: WechatCryptoErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
