import { Inject, Injectable, Logger } from '@nestjs/common';
import type { WechatMessage } from '../core/wechat-message.interfaces';
import type { WechatReply } from '../core/wechat-reply.interfaces';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import type { WechatContext } from '../interfaces/wechat-handler.interfaces';
import { observeDispatch, observeHandler } from '../telemetry/push.telemetry';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { WechatHandlerRegistry } from './wechat-handler.registry';

/** What {@link WechatDispatcher.dispatch} resolves to. */
export interface WechatDispatchResult {
  /** The first handler reply, or `undefined` for `success`. */
  readonly reply?: WechatReply;
  /** Whether a handler threw or rejected. */
  readonly failed: boolean;
}

const REPLY_TYPES: ReadonlySet<string> = new Set([
  'text',
  'image',
  'voice',
  'video',
  'music',
  'news',
  'transfer_customer_service',
]);

/**
 * Runs the handlers that match a push. Every matching handler runs, one after another in
 * registration order; the first one that returns a reply wins (later replies are ignored).
 * A handler that throws is logged and skipped, so WeChat still gets an answer.
 */
@Injectable()
export class WechatDispatcher {
  private readonly logger = new Logger('WechatModule');

  constructor(
    private readonly registry: WechatHandlerRegistry,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
  ) {}

  /**
   * Runs the handlers; resolves to the reply (`undefined` for `success`) and whether any handler
   * failed (then the push is not remembered as handled, so a retry runs it again).
   */
  dispatch(message: WechatMessage, context: WechatContext): Promise<WechatDispatchResult> {
    return observeDispatch(this.options, message, () => this.runHandlers(message, context));
  }

  private async runHandlers(
    message: WechatMessage,
    context: WechatContext,
  ): Promise<WechatDispatchResult> {
    let reply: WechatReply | undefined;
    let failed = false;
    for (const handler of this.registry.match(message, context.account)) {
      let result: unknown;
      try {
        result = await observeHandler(
          this.options,
          message,
          handler.name,
          async () => await handler.handle(message, context),
        );
      } catch (error: unknown) {
        if (this.options.rethrowHandlerErrors) throw error;
        failed = true;
        this.logger.error(
          `WeChat handler ${handler.name} failed for push ${describePush(message)}: ${errorSummary(error)}`,
        );
        continue;
      }
      const converted = toReply(result, handler.name, this.logger);
      if (reply === undefined && converted !== undefined) reply = converted;
    }
    return { reply, failed };
  }
}

/** A string becomes a text reply, a reply object stays, anything else means "no reply". */
function toReply(result: unknown, handlerName: string, logger: Logger): WechatReply | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result === 'string') return { type: 'text', content: result };
  if (
    typeof result === 'object' &&
    typeof (result as { type?: unknown }).type === 'string' &&
    REPLY_TYPES.has((result as { type: string }).type)
  ) {
    return result as WechatReply;
  }
  logger.warn(
    `WeChat handler ${handlerName} returned a value that is not a reply; answering success`,
  );
  return undefined;
}

/** Identifies a push in logs without its content: its id, or its type and time. */
export function describePush(message: WechatMessage): string {
  const fields = message as { MsgId?: unknown; MsgID?: unknown; Event?: unknown };
  const id = fields.MsgId ?? fields.MsgID;
  if (typeof id === 'string' && id) return `MsgId=${id}`;
  const event = typeof fields.Event === 'string' ? `/${fields.Event}` : '';
  return `${message.MsgType}${event}@${message.CreateTime}`;
}

function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
