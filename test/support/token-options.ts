import { resolveWechatOptions, type ResolvedWechatOptions } from '@app/wechat';

/** The options the token tests vary; everything else gets the library's defaults. */
export type TokenTestOptions = Pick<ResolvedWechatOptions, 'appId' | 'appSecret' | 'apiBaseUrl'> &
  Partial<ResolvedWechatOptions>;

/**
 * Resolved options for building AccessTokenService / WechatHttpClient / WechatClientService with
 * `new` in tests and worker processes: the module's own defaults (resolveWechatOptions, no callback
 * endpoint) with the given overrides on top.
 */
export function tokenTestOptions(overrides: TokenTestOptions): ResolvedWechatOptions {
  const { appId, appSecret, apiBaseUrl, lockTtlMs } = overrides;
  const defaults = resolveWechatOptions({ appId, appSecret, apiBaseUrl, lockTtlMs }, false);
  return { ...defaults, ...overrides };
}
