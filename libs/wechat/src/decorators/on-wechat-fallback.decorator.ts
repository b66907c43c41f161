import type { WechatMessage } from '../core/wechat-message.interfaces';
import type {
  OnWechatHandlerOptions,
  WechatContext,
  WechatHandlerResult,
} from '../interfaces/wechat-handler.interfaces';
import { accountsFilter, appendHandlerMetadata } from './wechat-handler-metadata.util';

/** The method shape `@OnWechatFallback()` accepts: any push. */
export type WechatFallbackHandlerMethod = (
  message: WechatMessage,
  context: WechatContext,
) => WechatHandlerResult | Promise<WechatHandlerResult>;

/**
 * Marks a method as the catch-all handler: it runs for every push that no `@OnWechatEvent` or
 * `@OnWechatMessage` handler matched, including unknown message and event types.
 * `{ account: 'shop' }` (a name or a list) makes it the fallback of those accounts only.
 */
export function OnWechatFallback(options: OnWechatHandlerOptions = {}) {
  const accounts = accountsFilter(options.account);
  return <M extends WechatFallbackHandlerMethod>(
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    appendHandlerMetadata(descriptor, { kind: 'fallback', accounts });
  };
}
