import type { ResolvedWechatOptions } from '../../libs/wechat/src/interfaces/resolved-wechat-options.interface';
import {
  DEFAULT_KEY_PREFIX,
  DEFAULT_LOCK_POLL_INTERVAL_MS,
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_RETRIES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_BACKOFF_MS,
  DEFAULT_TOKEN_SAFETY_MARGIN_SECONDS,
  DEFAULT_REPLY_TIMEOUT_MS,
  DEFAULT_DEDUP_TTL_SECONDS,
} from '../../libs/wechat/src/wechat.constants';

/** The options the token tests vary; everything else gets the library's defaults. */
export type TokenTestOptions = Pick<ResolvedWechatOptions, 'appId' | 'appSecret' | 'apiBaseUrl'> &
  Partial<ResolvedWechatOptions>;

/**
 * Resolved options for building AccessTokenService / WechatHttpClient / WechatClientService with
 * `new` in tests and worker processes, with the library's defaults (as the module would apply
 * them) for anything not given.
 */
export function tokenTestOptions(overrides: TokenTestOptions): ResolvedWechatOptions {
  const lockTtlMs = overrides.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  return {
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    maxRetries: DEFAULT_MAX_RETRIES,
    retryBackoffMs: DEFAULT_RETRY_BACKOFF_MS,
    tokenMode: 'token',
    keyPrefix: DEFAULT_KEY_PREFIX,
    tokenSafetyMarginSeconds: DEFAULT_TOKEN_SAFETY_MARGIN_SECONDS,
    lockTtlMs,
    lockPollIntervalMs: DEFAULT_LOCK_POLL_INTERVAL_MS,
    lockWaitMs: lockTtlMs,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    requireEncryption: false,
    replyTimeoutMs: DEFAULT_REPLY_TIMEOUT_MS,
    lateReplyViaCustomMessage: true,
    dedupTtlSeconds: DEFAULT_DEDUP_TTL_SECONDS,
    rethrowHandlerErrors: false,
    ...overrides,
  };
}
