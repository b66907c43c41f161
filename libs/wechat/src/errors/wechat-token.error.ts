import { WechatError } from './wechat.error';

/**
 * The shared access_token store (Redis) could not be used: not connected, or a command timed out.
 * {@link AccessTokenService} catches it and falls back to its in-process copy; it reaches callers
 * only when they use a store directly.
 */
export class WechatTokenStoreError extends WechatError {
  readonly code = 'WECHAT_TOKEN_STORE';

  /** @param message what failed (no keys' values, no secrets). */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
