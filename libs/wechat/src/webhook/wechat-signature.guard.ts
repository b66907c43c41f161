import {
  Inject,
  Injectable,
  UnauthorizedException,
  ForbiddenException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { MsgCryptService } from '../crypto/msg-crypt.service';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { WECHAT_HTTP_MESSAGES } from '../wechat.messages';
import { rememberVerifiedQuery } from './verified-query';

/** The query parameters WeChat signs its callback requests with. */
export interface WechatCallbackQuery {
  signature?: unknown;
  timestamp?: unknown;
  nonce?: unknown;
  echostr?: unknown;
  msg_signature?: unknown;
  encrypt_type?: unknown;
  openid?: unknown;
}

/**
 * Verifies that a callback request comes from WeChat, from its query string alone, before the body
 * is read or any handler runs:
 * - a GET with `msg_signature` (WeCom-style) must carry a valid `msg_signature` over `echostr`;
 * - every other request must carry a valid 3-parameter `signature`;
 * - an encrypted POST (`encrypt_type=aes`) must also carry a `msg_signature`, which is checked
 *   against the body's `Encrypt` when the body is decrypted.
 * Missing parameters → 401, a wrong signature or a timestamp outside the replay window → 403.
 * The verified parameters are what the callback handler then works with.
 *
 * Exported for extension: override the protected methods (as with `@nestjs/throttler`'s guard).
 */
@Injectable()
export class WechatSignatureGuard implements CanActivate {
  constructor(
    protected readonly crypt: MsgCryptService,
    @Inject(WECHAT_OPTIONS) protected readonly options: ResolvedWechatOptions,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ method: string; query: unknown }>();
    const query = this.getQuery(request);
    const { timestamp, nonce } = query;
    if (!isFilled(timestamp) || !isFilled(nonce)) {
      throw new UnauthorizedException(WECHAT_HTTP_MESSAGES.missingSignature);
    }
    const isGet = request.method.toUpperCase() === 'GET';
    if (isGet && isFilled(query.msg_signature)) {
      this.assertValid(
        this.crypt.verifyMsgSignature(timestamp, nonce, query.echostr, query.msg_signature),
      );
    } else {
      if (!isFilled(query.signature)) {
        throw new UnauthorizedException(WECHAT_HTTP_MESSAGES.missingSignature);
      }
      this.assertValid(this.verifySignature(query));
      if (!isGet && query.encrypt_type === 'aes' && !isFilled(query.msg_signature)) {
        throw new UnauthorizedException(WECHAT_HTTP_MESSAGES.missingSignature);
      }
    }
    if (!this.isTimestampFresh(timestamp)) {
      throw new ForbiddenException(WECHAT_HTTP_MESSAGES.staleTimestamp);
    }
    rememberVerifiedQuery(request, query);
    return true;
  }

  /** Reads the signed parameters; override to take them from elsewhere. */
  protected getQuery(request: { query: unknown }): WechatCallbackQuery {
    return typeof request.query === 'object' && request.query !== null ? request.query : {};
  }

  /** Checks the 3-parameter signature (constant-time). */
  protected verifySignature(query: WechatCallbackQuery): boolean {
    return this.crypt.verifySignature(query.timestamp, query.nonce, query.signature);
  }

  /** Applies the optional replay window (`replayWindowSeconds`); always true when it is off. */
  protected isTimestampFresh(timestamp: string): boolean {
    const window = this.options.replayWindowSeconds;
    if (window === undefined) return true;
    const seconds = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || !Number.isSafeInteger(seconds)) return false;
    return Math.abs(Date.now() / 1000 - seconds) <= window;
  }

  private assertValid(valid: boolean): void {
    if (!valid) throw new ForbiddenException(WECHAT_HTTP_MESSAGES.invalidSignature);
  }
}

function isFilled(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
