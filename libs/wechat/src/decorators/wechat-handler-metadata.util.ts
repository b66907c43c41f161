import { WECHAT_HANDLER_METADATA } from '../wechat.constants';
import type { WechatHandlerMetadata } from '../interfaces/wechat-handler.interfaces';

/** Adds one registration to the method's list, so decorators stack. Only decorators call this. */
export function appendHandlerMetadata(
  descriptor: { readonly value?: unknown },
  entry: WechatHandlerMetadata,
): void {
  const method = descriptor.value;
  if (typeof method !== 'function') {
    throw new TypeError('WeChat handler decorators can only be applied to methods');
  }
  const existing = (Reflect.getMetadata(WECHAT_HANDLER_METADATA, method) ??
    []) as readonly WechatHandlerMetadata[];
  // Decorators apply bottom-up; prepend so the list reads in source order.
  Reflect.defineMetadata(WECHAT_HANDLER_METADATA, [entry, ...existing], method);
}

/** The `account` filter of a handler decorator as a list (`undefined`: every account). */
export function accountsFilter(
  account: string | readonly string[] | undefined,
): readonly string[] | undefined {
  if (account === undefined) return undefined;
  const list: readonly string[] = typeof account === 'string' ? [account] : [...account];
  if (list.length === 0 || list.some((name) => typeof name !== 'string' || name === '')) {
    throw new TypeError(
      'the "account" filter of a WeChat handler must be a name or a list of names',
    );
  }
  return list;
}
