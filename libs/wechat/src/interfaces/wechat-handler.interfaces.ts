import type { WechatMessage } from '../core/wechat-message.interfaces';
import type { WechatReply } from '../core/wechat-reply.interfaces';

/** What a handler may return: a string (a text reply), a reply object, or nothing (`success`). */
export type WechatHandlerResult = string | WechatReply | undefined | void;

/** The second argument every handler receives, next to the typed message. */
export interface WechatContext {
  /** The sender's OpenID (the push's `FromUserName`). */
  readonly openId: string;
  /** The Official Account's original id, `gh_…` (the push's `ToUserName`). */
  readonly accountId: string;
  /** The configured AppID. */
  readonly appId: string;
  /** Whether the push arrived encrypted (compatible or safe mode). */
  readonly encrypted: boolean;
  /** The (decrypted) XML of the push, exactly as WeChat sent it. */
  readonly rawXml: string;
}

/**
 * Filter on `EventKey`: an exact string, `{ prefix }` (such as `{ prefix: 'qrscene_' }`), or a RegExp.
 */
export type WechatEventKeyFilter = string | { prefix: string } | RegExp;

/** Options of `@OnWechatEvent`. */
export interface OnWechatEventOptions {
  /** Run the handler only when the push's `EventKey` matches. */
  eventKey?: WechatEventKeyFilter;
}

/** One handler registration as recorded by a decorator. */
export type WechatHandlerMetadata =
  | {
      readonly kind: 'event';
      readonly types: readonly string[];
      readonly eventKey?: WechatEventKeyFilter;
    }
  | { readonly kind: 'message'; readonly types: readonly string[] }
  | { readonly kind: 'fallback' };

/** A handler found at start-up, bound to its provider instance. */
export interface WechatHandlerDefinition {
  readonly metadata: WechatHandlerMetadata;
  /** `ClassName.methodName`, for logs. */
  readonly name: string;
  readonly handle: (message: WechatMessage, context: WechatContext) => unknown;
}
