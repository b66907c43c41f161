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
