import { Inject, Injectable, Logger } from '@nestjs/common';
import type { WechatClientService } from '../api/wechat-client.service';
import type { WechatReply } from '../core/wechat-reply.interfaces';
import { WechatApiError } from '../errors/wechat-api.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { toCustomMessage } from './late-reply.mapper';

/**
 * Delivers a reply that was produced after the push had already been answered `success` (the 5 s
 * budget ran out) as a customer-service message, when `lateReplyViaCustomMessage` is on. WeChat
 * refuses those outside its interaction window (e.g. 45015 after 48 h); that is logged, not thrown.
 */
@Injectable()
export class WechatLateReplySender {
  private readonly logger = new Logger('WechatModule');

  constructor(@Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions) {}

  /**
   * Sends `reply` to `openId` through `client` (the receiving account's); resolves when done
   * (never rejects). `push` labels the logs.
   */
  async send(
    openId: string,
    reply: WechatReply,
    push: string,
    client: WechatClientService,
  ): Promise<void> {
    if (!this.options.lateReplyViaCustomMessage) {
      this.logger.warn(
        `Late ${reply.type} reply to push ${push} dropped (lateReplyViaCustomMessage is off)`,
      );
      return;
    }
    const message = toCustomMessage(openId, reply);
    if (!message) {
      this.logger.warn(
        `Late ${reply.type} reply to push ${push} has no customer-service form; dropped`,
      );
      return;
    }
    try {
      await client.sendCustomMessage(message);
      this.logger.log(
        `Late ${reply.type} reply to push ${push} sent as a customer-service message`,
      );
    } catch (error: unknown) {
      const reason =
        error instanceof WechatApiError
          ? `errcode ${error.errcode}`
          : error instanceof Error
            ? error.name
            : 'unknown error';
      this.logger.warn(`WeChat refused the late ${reply.type} reply to push ${push} (${reason})`);
    }
  }
}
