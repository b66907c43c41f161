import type { WechatMessage } from '../core/wechat-message.interfaces';
import type { WechatReply } from '../core/wechat-reply.interfaces';

/** What a handler may return: a string (a text reply), a reply object, or nothing (`success`). */
export type WechatHandlerResult = string | WechatReply | undefined | void;

/** The second argument every handler receives, next to the typed message. */
export interface WechatContext {
  /** The name of the account the push was sent to (`default` in the single-account form). */
  readonly account: string;
  /** The sender's OpenID (the push's `FromUserName`). */
  readonly openId: string;
  /** The Official Account's original id, `gh_…` (the push's `ToUserName`). */
  readonly accountId: string;
  /** The AppID of the account the push was sent to. */
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

/** Options of `@OnWechatMessage` and `@OnWechatFallback`. */
export interface OnWechatHandlerOptions {
  /**
   * Run the handler only for pushes to this account (a name) or these accounts; default: every
   * account. Each name must be a configured account (checked at boot).
   */
  account?: string | readonly string[];
}

/** Options of `@OnWechatEvent`. */
export interface OnWechatEventOptions extends OnWechatHandlerOptions {
  /** Run the handler only when the push's `EventKey` matches. */
  eventKey?: WechatEventKeyFilter;
}

/** One handler registration as recorded by a decorator. */
export type WechatHandlerMetadata =
  | {
      readonly kind: 'event';
      readonly types: readonly string[];
      readonly eventKey?: WechatEventKeyFilter;
      readonly accounts?: readonly string[];
    }
  | {
      readonly kind: 'message';
      readonly types: readonly string[];
      readonly accounts?: readonly string[];
    }
  | { readonly kind: 'fallback'; readonly accounts?: readonly string[] };

/** A handler found at start-up, bound to its provider instance. */
export interface WechatHandlerDefinition {
  readonly metadata: WechatHandlerMetadata;
  /** `ClassName.methodName`, for logs. */
  readonly name: string;
  readonly handle: (message: WechatMessage, context: WechatContext) => unknown;
}
