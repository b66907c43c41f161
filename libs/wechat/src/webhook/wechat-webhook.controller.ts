import {
  BadRequestException,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { MsgCryptService } from '../crypto/msg-crypt.service';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { WECHAT_HTTP_MESSAGES } from '../wechat.messages';
import { readRawBody, type RawBodyRequest } from './raw-body.reader';
import { WechatRawBodyRoute } from './raw-body-route.decorator';
import { setReplyHeader, type HttpReply } from './reply-header';
import { WechatPushService } from './wechat-push.service';
import { verifiedQueryOf } from './verified-query';
import { WechatSignatureGuard, type WechatCallbackQuery } from './wechat-signature.guard';

/** The request as the handlers get it (Node's or Fastify's). */
type CallbackRequest = RawBodyRequest & { readonly query?: WechatCallbackQuery };

/** The query the signature guard verified (it always runs first), else the platform's parse. */
function queryOf(request: CallbackRequest): WechatCallbackQuery {
  return verifiedQueryOf(request) ?? request.query ?? {};
}

/**
 * WeChat's callback endpoint: `GET` for URL verification, `POST` for pushes. Its path is set by
 * `WechatModule.forRoot({ path })` (default `wechat`); a host prefix via `RouterModule` also works.
 * Runs unchanged on `@nestjs/platform-express` and `@nestjs/platform-fastify`.
 */
@Controller()
@UseGuards(WechatSignatureGuard)
export class WechatWebhookController {
  constructor(
    private readonly pushes: WechatPushService,
    private readonly crypt: MsgCryptService,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
  ) {}

  /** URL verification: echoes `echostr` (or, WeCom-style with `msg_signature`, its decryption). */
  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  verify(@Req() request: CallbackRequest): string {
    const query = queryOf(request);
    const { echostr } = query;
    if (typeof echostr !== 'string') throw new BadRequestException(WECHAT_HTTP_MESSAGES.badPush);
    if (typeof query.msg_signature !== 'string' || query.msg_signature === '') return echostr;
    try {
      return this.crypt.decryptEchoStr(query.msg_signature, query.timestamp, query.nonce, echostr);
    } catch {
      throw new BadRequestException(WECHAT_HTTP_MESSAGES.badPush);
    }
  }

  /** A message or event push; answers its reply, `success`, or a 4xx. */
  @Post()
  @HttpCode(200)
  @WechatRawBodyRoute()
  async receive(
    @Req() request: CallbackRequest,
    @Res({ passthrough: true }) response: HttpReply,
  ): Promise<string> {
    const query = queryOf(request);
    const body = await readRawBody(request, this.options.maxBodyBytes);
    const answer = await this.pushes.handle(query, body);
    setReplyHeader(response, 'Content-Type', answer.contentType);
    return answer.body;
  }
}
