import type { WechatMessageOfType, WechatMessageType } from '../core/wechat-message.interfaces';
import type {
  OnWechatHandlerOptions,
  WechatContext,
  WechatHandlerResult,
} from '../interfaces/wechat-handler.interfaces';
import { accountsFilter, appendHandlerMetadata } from './wechat-handler-metadata.util';

/** The method shape `@OnWechatMessage(T)` accepts: its first parameter is the typed message. */
export type WechatMessageHandlerMethod<T extends WechatMessageType> = (
  message: WechatMessageOfType<T>,
  context: WechatContext,
) => WechatHandlerResult | Promise<WechatHandlerResult>;

/**
 * Marks a method as the handler of one or more ordinary message types (`text`, `image`, …).
 * Returning a string answers with a text reply; a reply object with that reply; nothing with `success`.
 * `{ account: 'shop' }` (a name or a list) runs it only for pushes to those accounts.
 *
 * @example
 * ```ts
 * @OnWechatMessage('text')
 * echo(message: WechatMessageOfType<'text'>) { return message.Content; }
 * ```
 */
export function OnWechatMessage<T extends WechatMessageType>(
  type: T | readonly T[],
  options: OnWechatHandlerOptions = {},
) {
  const types: readonly string[] = typeof type === 'string' ? [type] : [...type];
  const accounts = accountsFilter(options.account);
  return <M extends WechatMessageHandlerMethod<T>>(
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    appendHandlerMetadata(descriptor, { kind: 'message', types, accounts });
  };
}
