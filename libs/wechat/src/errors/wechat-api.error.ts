import { invalidDataField, wechatErrorHint } from '../api/wechat-error-hints';
import { WechatError } from './wechat.error';

/**
 * WeChat answered with a non-zero `errcode` (after the retries for `-1`, if any).
 *
 * `errmsg` is WeChat's own text (with any secret or token redacted); `path` is the API path without
 * its query string. `hint` (also appended to the message) says what to do for the codes users hit:
 * configuration errors (40013, 40125, 40164, 89503), the daily quota 45009 (never retried), 48001
 * (the account type lacks the API), the OAuth codes 10003 / 40029 / 40163, 43101 (subscription refused or used up), 47003 (bad template
 * data, naming the `field`), 40113 / 41005 (bad media upload) and 45106 (retired API: use drafts).
 * The message never contains the AppSecret, an access_token or the request URL with its query.
 */
export class WechatApiError extends WechatError {
  readonly code = 'WECHAT_API';
  /** What to do about this errcode, when this library knows (see the class comment). */
  readonly hint?: string;
  /** For 47003: the template data key WeChat refused (e.g. `thing1`), when its errmsg names one. */
  readonly field?: string;

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
    const hint = wechatErrorHint(errcode, errmsg);
    super(
      `WeChat API ${path} failed with errcode ${errcode}: ${errmsg || '(no errmsg)'}` +
        (hint ? ` Hint: ${hint}` : ''),
    );
    if (hint !== undefined) this.hint = hint;
    const field = errcode === 47003 ? invalidDataField(errmsg) : undefined;
    if (field !== undefined) this.field = field;
  }

  /** The hint for an errcode (with WeChat's errmsg, for hints naming a field), if one is known. */
  static hintFor(errcode: number, errmsg?: string): string | undefined {
    return wechatErrorHint(errcode, errmsg);
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
