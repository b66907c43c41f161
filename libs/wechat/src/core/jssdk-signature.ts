import { createHash } from 'node:crypto';
import { WechatValidationError } from '../errors/wechat-api.error';

/** What `wx.config`'s signature covers. */
export interface JssdkSignatureInput {
  /** The account's `jsapi_ticket`. */
  readonly ticket: string;
  /** A random string chosen by the server (`nonceStr` of `wx.config`). */
  readonly nonceStr: string;
  /** Seconds since the epoch (`timestamp` of `wx.config`). */
  readonly timestamp: number | string;
  /** The page URL, already normalised by {@link normalizeJssdkUrl}. */
  readonly url: string;
}

/** A JS-SDK signature and the exact string it was computed over (for debugging). */
export interface JssdkSignature {
  /** Lowercase hex SHA-1. */
  readonly signature: string;
  /** `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`: contains the ticket, never log it. */
  readonly signed: string;
}

/**
 * The `wx.config` signature (protocol: JS-SDK appendix 1): SHA-1 of
 * `jsapi_ticket=T&noncestr=N&timestamp=S&url=U`, keys in exactly this order, raw values (no
 * escaping), lowercase hex.
 *
 * @example
 * ```ts
 * jssdkSignature({ ticket, nonceStr: 'Wm3WZYTPz0wzccnW', timestamp: 1414587457, url: 'http://mp.weixin.qq.com' });
 * // signature 'f4d90daf4b3bca3078ab155816175ba34c443a7b' for WeChat's documented ticket
 * ```
 */
export function jssdkSignature(input: JssdkSignatureInput): JssdkSignature {
  const signed = `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}&timestamp=${input.timestamp}&url=${input.url}`;
  return { signature: createHash('sha1').update(signed, 'utf8').digest('hex'), signed };
}

/**
 * The URL a page must be signed for: the page's own `location.href` cut at `#`. Accepts only an
 * absolute http(s) URL; refuses one that contains `&amp;` (an HTML-escaped `&`, which WeChat would
 * sign differently than the browser reports). The text is otherwise kept exactly as given (query,
 * percent-escapes and non-ASCII characters included): WeChat signs what the page sees.
 *
 * @throws WechatValidationError (field `url`) saying what is wrong.
 */
export function normalizeJssdkUrl(url: unknown): string {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new WechatValidationError(
      'url',
      "must be the page's full URL (location.href.split('#')[0]), e.g. https://example.com/page?x=1.",
    );
  }
  const cut = url.split('#')[0];
  if (!/^https?:\/\/[^/?#\s]+/i.test(cut)) {
    throw new WechatValidationError(
      'url',
      "must be an absolute http(s) URL taken from the page (location.href.split('#')[0]), not a path or the server's own idea of its address.",
    );
  }
  try {
    new URL(cut);
  } catch {
    throw new WechatValidationError('url', 'is not a valid URL.');
  }
  if (cut.includes('&amp;')) {
    throw new WechatValidationError(
      'url',
      'contains "&amp;": an HTML-escaped "&" (an input filter or a template escaped it); pass the URL exactly as location.href reports it.',
    );
  }
  return cut;
}
