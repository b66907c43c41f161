import type { WechatEventOfType, WechatEventType } from '../core/wechat-message.interfaces';
import type {
  OnWechatEventOptions,
  WechatContext,
  WechatHandlerResult,
} from '../interfaces/wechat-handler.interfaces';
import { accountsFilter, appendHandlerMetadata } from './wechat-handler-metadata.util';

/** The method shape `@OnWechatEvent(E)` accepts: its first parameter is the event's typed message. */
export type WechatEventHandlerMethod<E extends WechatEventType> = (
  message: WechatEventOfType<E>,
  context: WechatContext,
) => WechatHandlerResult | Promise<WechatHandlerResult>;

/**
 * Marks a method of any provider or controller as the handler of one or more WeChat events.
 * The method receives the typed event and a {@link WechatContext}; its return value is the reply.
 * Stackable: several decorators on one method register it for each. `{ account: 'shop' }` (a name
 * or a list) runs it only for pushes to those accounts.
 *
 * @example
 * ```ts
 * @OnWechatEvent('subscribe', { eventKey: { prefix: 'qrscene_' } })
 * onQrFollow(event: WechatEventOfType<'subscribe'>) { return 'Welcome!'; }
 * ```
 */
export function OnWechatEvent<E extends WechatEventType>(
  event: E | readonly E[],
  options: OnWechatEventOptions = {},
) {
  const types: readonly string[] = typeof event === 'string' ? [event] : [...event];
  const accounts = accountsFilter(options.account);
  return <M extends WechatEventHandlerMethod<E>>(
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    appendHandlerMetadata(descriptor, {
      kind: 'event',
      types,
      eventKey: options.eventKey,
      accounts,
    });
  };
}
