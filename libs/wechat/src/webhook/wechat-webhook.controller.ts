import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { PushTelemetry } from '../telemetry/push.telemetry';
import type { WechatAccount } from '../accounts/wechat-account';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { WECHAT_HTTP_MESSAGES } from '../wechat.messages';
import { callbackAccountOf } from './callback-account';
import { closeConnectionAfterAnswer } from './connection-closer';
import { readRawBody, type RawBodyRequest } from './raw-body.reader';
import { arrivalOf } from './request-arrival';
import { WechatRawBodyRoute } from './raw-body-route.decorator';
import { sendWechatReply, type HttpReply } from './http-reply';
import { WechatPushService } from './wechat-push.service';
import { verifiedQueryOf } from './verified-query';
import { WechatSignatureGuard, type WechatCallbackQuery } from './wechat-signature.guard';

const PLAIN_TEXT = 'text/plain; charset=utf-8';

/** The request as the handlers get it (Node's or Fastify's). */
type CallbackRequest = RawBodyRequest & { readonly query?: WechatCallbackQuery };

/** The query the signature guard verified (it always runs first), else the platform's parse. */
function queryOf(request: CallbackRequest): WechatCallbackQuery {
  return verifiedQueryOf(request) ?? request.query ?? {};
}

/** The account the guard verified the request for (it always runs first). */
function accountOf(request: CallbackRequest): WechatAccount {
  const account = callbackAccountOf(request);
  if (!account) throw new NotFoundException(WECHAT_HTTP_MESSAGES.unknownAccount);
  return account;
}

/**
 * WeChat's callback endpoint: `GET` for URL verification, `POST` for pushes, at `/<path>` for the
 * default account and `/<path>/<account>` for each account. Its path is set by
 * `WechatModule.forRoot({ path })` (default `wechat`); a host prefix via `RouterModule` also works.
 * Runs unchanged on `@nestjs/platform-express` and `@nestjs/platform-fastify`. Answers are written
 * by the handlers themselves ({@link sendWechatReply}), so the host's global interceptors cannot
 * change the bytes WeChat reads; refusals are thrown and go through the host's exception filters.
 */
@Controller()
@UseGuards(WechatSignatureGuard)
export class WechatWebhookController {
  constructor(
    private readonly pushes: WechatPushService,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
  ) {}

  /** URL verification: echoes `echostr` (or, WeCom-style with `msg_signature`, its decryption). */
  @Get()
  verify(@Req() request: CallbackRequest, @Res() response: HttpReply): void {
    sendWechatReply(response, PLAIN_TEXT, this.echo(queryOf(request), accountOf(request)));
  }

  /** URL verification of one account (`/<path>/<account>`). */
  @Get(':account')
  verifyAccount(@Req() request: CallbackRequest, @Res() response: HttpReply): void {
    this.verify(request, response);
  }

  /**
   * A message or event push; answers its reply, `success`, or a 4xx. The body is read only now,
   * after the guard, within `bodyReadTimeoutMs` of the request's arrival and up to `maxBodyBytes`;
   * a body refused for its size or its slowness ends the connection (nothing more is read).
   */
  @Post()
  @WechatRawBodyRoute()
  async receive(@Req() request: CallbackRequest, @Res() response: HttpReply): Promise<void> {
    const push = PushTelemetry.start(callbackAccountOf(request)?.options ?? this.options, request);
    const receive = async (): Promise<void> => {
      const query = queryOf(request);
      const arrivedAt = arrivalOf(request) ?? Date.now();
      let body: Buffer;
      try {
        body = await readRawBody(request, {
          maxBytes: this.options.maxBodyBytes,
          timeoutMs: this.options.bodyReadTimeoutMs - (Date.now() - arrivedAt),
        });
      } catch (error: unknown) {
        closeConnectionAfterAnswer(response);
        throw error;
      }
      const answer = await this.pushes.handle(query, body, arrivedAt, accountOf(request), push);
      sendWechatReply(response, answer.contentType, answer.body);
    };
    await (push === undefined ? receive() : push.observe(receive));
  }

  /** A push to one account (`/<path>/<account>`). */
  @Post(':account')
  @WechatRawBodyRoute()
  receiveAccount(@Req() request: CallbackRequest, @Res() response: HttpReply): Promise<void> {
    return this.receive(request, response);
  }

  private echo(query: WechatCallbackQuery, account: WechatAccount): string {
    const { echostr } = query;
    if (typeof echostr !== 'string') throw new BadRequestException(WECHAT_HTTP_MESSAGES.badPush);
    if (typeof query.msg_signature !== 'string' || query.msg_signature === '') return echostr;
    try {
      return account.crypt.decryptEchoStr(
        query.msg_signature,
        query.timestamp,
        query.nonce,
        echostr,
      );
    } catch {
      throw new BadRequestException(WECHAT_HTTP_MESSAGES.badPush);
    }
  }
}
