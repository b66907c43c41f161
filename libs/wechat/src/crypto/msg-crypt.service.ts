import { Inject, Injectable } from '@nestjs/common';
import {
  MsgCrypt,
  type DecryptResult,
  type EncryptedReplyEnvelope,
  type MsgCryptKeyId,
} from '../core/msg-crypt';
import { verifyMsgSignature, verifySignature } from '../core/wechat-signature';
import { WechatConfigError } from '../errors/wechat-config.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { traceCrypto } from '../telemetry/push.telemetry';
import { WECHAT_OPTIONS } from '../wechat.constants';

/**
 * Signatures and safe-mode (AES) crypto with the module's configured Token, EncodingAESKey and
 * AppID. The keys are validated once, when the module starts.
 */
@Injectable()
export class MsgCryptService {
  private readonly crypt: MsgCrypt | undefined;
  private readonly token: string;

  constructor(@Inject(WECHAT_OPTIONS) options: ResolvedWechatOptions) {
    this.token = options.token ?? '';
    this.crypt =
      options.encodingAESKey && options.token
        ? new MsgCrypt({
            token: options.token,
            encodingAESKey: options.encodingAESKey,
            appId: options.appId,
            previousEncodingAESKey: options.previousEncodingAESKey,
          })
        : undefined;
  }

  /** Whether an EncodingAESKey is configured (compatible or safe mode is possible). */
  get isEncryptionEnabled(): boolean {
    return this.crypt !== undefined;
  }

  /** Checks the 3-parameter `signature` of a callback request. Bad input is `false`. */
  verifySignature(timestamp: unknown, nonce: unknown, signature: unknown): boolean {
    return this.token !== '' && verifySignature(this.token, timestamp, nonce, signature);
  }

  /** Checks the 4-parameter `msg_signature` over an `Encrypt` value. Bad input is `false`. */
  verifyMsgSignature(
    timestamp: unknown,
    nonce: unknown,
    encrypt: unknown,
    msgSignature: unknown,
  ): boolean {
    return (
      this.token !== '' && verifyMsgSignature(this.token, timestamp, nonce, encrypt, msgSignature)
    );
  }

  /** Verifies `msg_signature` and decrypts an `Encrypt` value (current key, then the previous). */
  decrypt(
    msgSignature: unknown,
    timestamp: unknown,
    nonce: unknown,
    encrypt: unknown,
  ): DecryptResult {
    return traceCrypto('decrypt', () =>
      this.requireCrypt().decrypt(msgSignature, timestamp, nonce, encrypt),
    );
  }

  /** Verifies and decrypts the `echostr` of a WeCom-style GET that carries `msg_signature`. */
  decryptEchoStr(
    msgSignature: unknown,
    timestamp: unknown,
    nonce: unknown,
    echostr: unknown,
  ): string {
    return this.requireCrypt().decryptEchoStr(msgSignature, timestamp, nonce, echostr);
  }

  /** Encrypts a reply and wraps it in the signed envelope WeChat expects. */
  encryptReply(
    replyXml: string,
    options: { nonce: string; timestamp?: number | string; keyId?: MsgCryptKeyId },
  ): EncryptedReplyEnvelope {
    return traceCrypto('encrypt', () => this.requireCrypt().encryptReply(replyXml, options));
  }

  /** Encrypts any text to the base64 `Encrypt` form. */
  encrypt(message: string, keyId?: MsgCryptKeyId): string {
    return this.requireCrypt().encrypt(message, { keyId });
  }

  private requireCrypt(): MsgCrypt {
    if (!this.crypt) {
      throw new WechatConfigError(
        'safe mode needs both "token" and "encodingAESKey" (the 43-character EncodingAESKey of the admin console).',
      );
    }
    return this.crypt;
  }
}
