import { WechatError } from './wechat.error';

/** Hints appended to the message of errors that are configuration problems, not bugs. */
const ERRCODE_HINTS: Readonly<Record<number, string>> = {
  40013:
    'the AppID is wrong: check "appId" against the admin console (设置与开发 → 基本配置 / 开发接口管理).',
  40125:
    'the AppSecret is wrong or was reset: copy the current AppSecret from the admin console into "appSecret".',
  40164:
    "this server's public IP is not in the API IP whitelist: add it in the admin console (基本配置 → IP白名单).",
  45009:
    'the daily quota of this API is used up: it resets at midnight (Beijing time), or an admin can reset it once with /cgi-bin/clear_quota.',
  89503:
    'calls from this IP need an admin confirmation: the admin received a template message and must approve the IP (a refusal blocks it).',
  10003:
    "the redirect_uri's host is not the account's web authorization domain: set it in the admin console (设置与开发 → 接口权限 → 网页授权), without scheme or path.",
  40029:
    'the OAuth code is invalid or expired (codes live 5 minutes and are single-use): send the user through the authorize URL again.',
  40163:
    'the OAuth code was already used (a page refresh, the back button or a double callback replayed it): WechatOAuthService.handleCallback() returns the first result for a replayed code instead.',
  48001:
    'this account is not authorized for this API: check its type (subscription vs service account), its verification, and for /sns/userinfo the scope (snsapi_userinfo is needed).',
};

/**
 * WeChat answered with a non-zero `errcode` (after the retries for `-1`, if any).
 *
 * `errmsg` is WeChat's own text (with any secret or token redacted); `path` is the API path without
 * its query string. The message adds a hint for configuration errors (40013, 40125, 40164, 45009,
 * 89503) and never contains the AppSecret, an access_token or the request URL with its query.
 */
export class WechatApiError extends WechatError {
  readonly code = 'WECHAT_API';

  /**
   * @param path API path without the query, e.g. `/cgi-bin/message/template/send`.
   * @param errcode WeChat's `errcode`.
   * @param errmsg WeChat's `errmsg` (already redacted by the caller).
   */
  constructor(
    readonly path: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    const hint = ERRCODE_HINTS[errcode];
    super(
      `WeChat API ${path} failed with errcode ${errcode}: ${errmsg || '(no errmsg)'}` +
        (hint ? ` Hint: ${hint}` : ''),
    );
  }

  /** The hint for a configuration error code, if this library knows one. */
  static hintFor(errcode: number): string | undefined {
    return ERRCODE_HINTS[errcode];
  }
}

/** Why an HTTP exchange with WeChat failed without a WeChat `errcode`. */
export type WechatHttpFailureReason =
  /** No complete answer within `requestTimeoutMs` (per attempt). */
  | 'TIMEOUT'
  /** Connection refused / reset / DNS failure. */
  | 'NETWORK'
  /** HTTP status other than 2xx, or a body that is not a JSON object. */
  | 'BAD_RESPONSE'
  /** The client was shut down (`onModuleDestroy`) while the request was pending. */
  | 'ABORTED';

/**
 * The request to WeChat failed at the HTTP level (after the configured retries): timeout, network
 * error, HTTP 5xx, or a body that is not JSON. Never contains the request URL's query.
 */
export class WechatHttpError extends WechatError {
  readonly code = 'WECHAT_HTTP';

  /**
   * @param path API path without the query.
   * @param reason what went wrong.
   * @param attempts how many attempts were made.
   * @param detail a short description (no secrets).
   * @param status the HTTP status, when a response was received.
   */
  constructor(
    readonly path: string,
    readonly reason: WechatHttpFailureReason,
    readonly attempts: number,
    detail: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(
      `WeChat API ${path} failed (${reason}) after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${detail}`,
      options,
    );
  }
}

/**
 * An argument was refused before any HTTP call, because WeChat would refuse it too (bad QR scene,
 * more than 100 openids, …). `field` names the offending argument.
 */
export class WechatValidationError extends WechatError {
  readonly code = 'WECHAT_VALIDATION';

  /**
   * @param field the argument's name, e.g. `scene` or `openIds`.
   * @param message what is wrong and what is accepted.
   */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`Invalid ${field}: ${message}`);
  }
}
