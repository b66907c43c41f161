import { HttpException } from '@nestjs/common';
import { isKnownEventType, isKnownMessageType } from '../core/wechat-message.guards';
import type { WechatMessage } from '../core/wechat-message.interfaces';
import { WechatApiError, WechatHttpError } from '../errors/wechat-api.error';
import { WechatCryptoError } from '../errors/wechat-crypto.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_HTTP_MESSAGES } from '../wechat.messages';

/**
 * The attributes the module's metrics and spans carry, and the only code that builds them.
 *
 * Every value is one of a closed set (an outcome, a reason, a known `MsgType`/`Event`, a credential
 * kind), a number (an errcode), a name from the host's code or configuration (an account name, a
 * handler's `Class.method`) or an API path of the library's own (checked against
 * {@link API_PATH_PATTERN}, never a query string). Nothing a push or a response carries — openid,
 * content, token, AppSecret, EventKey — can get into an attribute: there is no builder for it.
 */

/** The HTTP statuses the refusals are told apart by. */
const STATUS = { unauthorized: 401, forbidden: 403, notFound: 404, tooLarge: 413 } as const;

/** The attribute keys, in one place (OpenTelemetry style: namespaced, dot-separated). */
export const WECHAT_ATTRIBUTES = {
  account: 'wechat.account',
  msgType: 'wechat.msg_type',
  event: 'wechat.event',
  encrypted: 'wechat.encrypted',
  outcome: 'wechat.push.outcome',
  refusalReason: 'wechat.push.refusal_reason',
  handler: 'wechat.handler',
  dedupSource: 'wechat.dedup.source',
  dedupOperation: 'wechat.dedup.operation',
  credentialKind: 'wechat.credential.kind',
  credentialOutcome: 'wechat.credential.outcome',
  apiPath: 'wechat.api.path',
  errcode: 'wechat.errcode',
  retryReason: 'wechat.api.retry_reason',
  retries: 'wechat.api.retries',
  errorType: 'error.type',
} as const;

/** The account name of the single-account form (and of anything not tied to one account). */
export const DEFAULT_TELEMETRY_ACCOUNT = 'default';

/** What became of one push. */
export type PushOutcomeAttribute = 'handled' | 'duplicate' | 'late_reply' | 'refused' | 'error';

/** Why a push was refused. */
export type PushRefusalReason =
  | 'bad_signature'
  | 'bad_crypto'
  | 'malformed'
  | 'too_large'
  | 'replay'
  | 'downgrade'
  | 'unknown_account';

/** Where the de-dup found the answer (or the handling) a retry waits for. */
export type DedupSource = 'in_process' | 'shared_store';

/** A de-dup store operation that fell back to this process's memory. */
export type DedupOperation = 'claim' | 'peek' | 'complete' | 'release';

/** How one upstream credential fetch ended. */
export type CredentialOutcome = 'success' | 'refused' | 'error';

/** Why an API call was sent again. */
export type ApiRetryReason = 'busy' | 'timeout' | 'network' | 'http_5xx';

/** A set of attributes (the shape `@opentelemetry/api` takes), values of the kinds above only. */
export type WechatAttributes = Readonly<Record<string, string | number | boolean>>;

/** Paths of WeChat's API as the library writes them: no query, no value of a caller. */
const API_PATH_PATTERN = /^(\/[A-Za-z0-9_.-]+)+$/;
/** Credential kinds and handler names: identifiers from the library's or the host's code. */
const IDENTIFIER_PATTERN = /^[A-Za-z_$][\w$.:-]{0,127}$/;

/** The account name of `options` (an account's `name`; `default` for the module's own options). */
export function telemetryAccount(
  options: Pick<ResolvedWechatOptions, 'appId'> | { readonly name: string },
): string {
  const account = (options as { name?: unknown }).name;
  return typeof account === 'string' && IDENTIFIER_PATTERN.test(account)
    ? account
    : DEFAULT_TELEMETRY_ACCOUNT;
}

/**
 * The message type and event of a push: a known `MsgType`/`Event`, else `other` (a push's
 * fields are chosen by whoever sent it, so unknown values are never copied).
 */
export function pushKindAttributes(message: WechatMessage): WechatAttributes {
  const msgType = message.MsgType;
  if (msgType !== 'event') {
    return { [WECHAT_ATTRIBUTES.msgType]: isKnownMessageType(msgType) ? msgType : 'other' };
  }
  const event = (message as { Event?: unknown }).Event;
  return {
    [WECHAT_ATTRIBUTES.msgType]: 'event',
    [WECHAT_ATTRIBUTES.event]:
      typeof event === 'string' && isKnownEventType(event) ? event : 'other',
  };
}

/** `{ wechat.account }`. */
export function accountAttributes(account: string): WechatAttributes {
  return { [WECHAT_ATTRIBUTES.account]: account };
}

/** A handler's `Class.method` name (or `other` if it does not look like one). */
export function handlerAttribute(name: string): WechatAttributes {
  return { [WECHAT_ATTRIBUTES.handler]: IDENTIFIER_PATTERN.test(name) ? name : 'other' };
}

/** A credential kind (`access_token`, `jsapi_ticket` …). */
export function credentialKindAttribute(kind: string): WechatAttributes {
  return { [WECHAT_ATTRIBUTES.credentialKind]: IDENTIFIER_PATTERN.test(kind) ? kind : 'other' };
}

/** An API path without its query (`other` for anything that is not a plain path). */
export function apiPathAttribute(path: string): WechatAttributes {
  return { [WECHAT_ATTRIBUTES.apiPath]: API_PATH_PATTERN.test(path) ? path : 'other' };
}

/** The name of an error's class, for `error.type` (never its message). */
export function errorTypeOf(error: unknown): string {
  const name = error instanceof Error ? error.constructor.name : typeof error;
  return IDENTIFIER_PATTERN.test(name) ? name : 'Error';
}

/**
 * Why the callback endpoint refused a push, from the exception it throws: the refusal messages
 * are the module's own constants ({@link WECHAT_HTTP_MESSAGES}); a decryption failure carries the
 * {@link WechatCryptoError} as its `cause`. `undefined` for an error that is not a refusal (5xx).
 */
export function refusalReasonOf(error: unknown): PushRefusalReason | undefined {
  if (!(error instanceof HttpException)) return undefined;
  const status: number = error.getStatus();
  if (status >= 500) return undefined;
  if (status === STATUS.tooLarge) return 'too_large';
  if (status === STATUS.notFound) return 'unknown_account';
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof WechatCryptoError) {
    return cause.reason === 'BAD_SIGNATURE' ? 'bad_signature' : 'bad_crypto';
  }
  switch (messageOf(error)) {
    case WECHAT_HTTP_MESSAGES.missingSignature:
    case WECHAT_HTTP_MESSAGES.invalidSignature:
      return 'bad_signature';
    case WECHAT_HTTP_MESSAGES.staleTimestamp:
      return 'replay';
    case WECHAT_HTTP_MESSAGES.encryptionRequired:
      return 'downgrade';
    case WECHAT_HTTP_MESSAGES.tooLarge:
      return 'too_large';
    default:
      return status === STATUS.unauthorized || status === STATUS.forbidden
        ? 'bad_signature'
        : 'malformed';
  }
}

/** The retry reason of a failed API attempt that is retried. */
export function apiRetryReasonOf(error: WechatApiError | WechatHttpError): ApiRetryReason {
  if (error instanceof WechatApiError) return 'busy';
  if (error.reason === 'TIMEOUT') return 'timeout';
  if (error.reason === 'NETWORK') return 'network';
  return 'http_5xx';
}

/** The errcode of an API call's end: 0 for a success, WeChat's errcode, else `undefined`. */
export function apiErrcodeOf(error: unknown): number | undefined {
  return error instanceof WechatApiError ? error.errcode : undefined;
}

function messageOf(error: HttpException): unknown {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  return (response as { message?: unknown } | null)?.message;
}
