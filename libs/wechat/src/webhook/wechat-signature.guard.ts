import {
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
  ForbiddenException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { observeGuardedPush } from '../telemetry/push.telemetry';
import type { WechatAccount } from '../accounts/wechat-account';
import { WechatAccounts } from '../accounts/wechat-accounts.registry';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { WECHAT_HTTP_MESSAGES } from '../wechat.messages';
import { rememberCallbackAccount } from './callback-account';
import { parseCallbackQuery } from './callback-query.parser';
import { closeConnectionAfterAnswer } from './connection-closer';
import { rememberArrival } from './request-arrival';
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

/** What the guard reads of a request (Node's under Express, Fastify's under Fastify). */
export interface CallbackRequestLine {
  readonly method: string;
  /** The request target, query string included. */
  readonly url?: unknown;
  /** The platform's parsed query, used only when there is no `url`. */
  readonly query?: unknown;
  /** The route parameters: `account` on `/<path>/:account`. */
  readonly params?: unknown;
}

/**
 * Verifies that a callback request comes from WeChat, from its query string alone, before any byte
 * of the body is read (on Express and on Fastify alike) or any handler runs, with the Token of the
 * account of its path (`/<path>/:account`, or the default account on `/<path>`; an unknown account
 * → 404 before any signature work):
 * - a GET with `msg_signature` (WeCom-style) must carry a valid `msg_signature` over `echostr`;
 * - every other request must carry a valid 3-parameter `signature`;
 * - an encrypted POST (`encrypt_type=aes`) must also carry a `msg_signature`, which is checked
 *   against the body's `Encrypt` when the body is decrypted;
 * - the signed timestamp must lie within `replayWindowSeconds` (default 300) of now.
 * Missing parameters → 401, a wrong signature or a timestamp outside the replay window → 403; a
 * refused request's connection is closed once the refusal is sent, so its body is never read.
 * The verified parameters, and the request's arrival time, are what the callback handler then
 * works with.
 *
 * Exported for extension: override the protected methods (as with `@nestjs/throttler`'s guard).
 */
@Injectable()
export class WechatSignatureGuard implements CanActivate {
  constructor(
    protected readonly accounts: WechatAccounts,
    @Inject(WECHAT_OPTIONS) protected readonly options: ResolvedWechatOptions,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<CallbackRequestLine>();
    rememberArrival(request);
    const check = (account: WechatAccount | undefined): boolean => {
      try {
        if (!account) throw new NotFoundException(WECHAT_HTTP_MESSAGES.unknownAccount);
        const query = this.verify(request, account);
        rememberVerifiedQuery(request, query);
        rememberCallbackAccount(request, account);
        return true;
      } catch (error: unknown) {
        closeConnectionAfterAnswer(http.getResponse<unknown>());
        throw error;
      }
    };
    const account = this.getAccount(request);
    // Known accounts resolve synchronously; only the resolveAccount loader makes it asynchronous.
    const known = account instanceof Promise ? undefined : account;
    return observeGuardedPush(known?.options ?? this.options, request, () =>
      account instanceof Promise ? account.then(check) : check(account),
    );
  }

  /**
   * The account of the request's path: `params.account`, or the default account on the bare path;
   * a name not registered goes to the `resolveAccount` loader, if there is one.
   */
  protected getAccount(
    request: CallbackRequestLine,
  ): WechatAccount | undefined | Promise<WechatAccount | undefined> {
    const params = request.params as { account?: unknown } | undefined;
    const name = params?.account;
    if (name === undefined) return this.accounts.defaultAccount;
    return typeof name === 'string' ? this.accounts.resolve(name) : undefined;
  }

  /**
   * The checks themselves, with `account`'s Token: returns the verified query, or throws the
   * refusal (`UnauthorizedException`, `ForbiddenException`).
   */
  protected verify(request: CallbackRequestLine, account: WechatAccount): WechatCallbackQuery {
    const query = this.getQuery(request);
    const { timestamp, nonce } = query;
    if (!isFilled(timestamp) || !isFilled(nonce)) {
      throw new UnauthorizedException(WECHAT_HTTP_MESSAGES.missingSignature);
    }
    const isGet = request.method.toUpperCase() === 'GET';
    if (isGet && isFilled(query.msg_signature)) {
      this.assertValid(
        account.crypt.verifyMsgSignature(timestamp, nonce, query.echostr, query.msg_signature),
      );
    } else {
      if (!isFilled(query.signature)) {
        throw new UnauthorizedException(WECHAT_HTTP_MESSAGES.missingSignature);
      }
      this.assertValid(this.verifySignature(query, account));
      if (!isGet && query.encrypt_type === 'aes' && !isFilled(query.msg_signature)) {
        throw new UnauthorizedException(WECHAT_HTTP_MESSAGES.missingSignature);
      }
    }
    if (!this.isTimestampFresh(timestamp, account)) {
      throw new ForbiddenException(WECHAT_HTTP_MESSAGES.staleTimestamp);
    }
    return query;
  }

  /**
   * Reads the signed parameters from the request URL ({@link parseCallbackQuery}: decoded as
   * Express's default parser does, on Express and on Fastify alike, without parsing the rest);
   * override to take them from elsewhere.
   */
  protected getQuery(request: CallbackRequestLine): WechatCallbackQuery {
    if (typeof request.url === 'string') return parseCallbackQuery(request.url);
    return typeof request.query === 'object' && request.query !== null ? request.query : {};
  }

  /** Checks the 3-parameter signature (constant-time) with the account's Token. */
  protected verifySignature(query: WechatCallbackQuery, account: WechatAccount): boolean {
    return account.crypt.verifySignature(query.timestamp, query.nonce, query.signature);
  }

  /** Applies the account's replay window (`replayWindowSeconds`); always true when it is `0` (off). */
  protected isTimestampFresh(timestamp: string, account: WechatAccount): boolean {
    const window = account.options.replayWindowSeconds;
    if (window === 0) return true;
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
