/** The shortest interval between two `force_refresh: true` stable_token calls (WeChat's limit). */
export const STABLE_TOKEN_FORCE_REFRESH_INTERVAL_MS = 30_000;

/**
 * How long the fleet remembers that WeChat rejected a token (40001/40014/42001), in ms: a token
 * lives at most 7 200 s, so after that WeChat cannot hand it out again.
 */
export const REJECTED_ACCESS_TOKEN_TTL_MS = 7_200_000;

/** While the shared store is down, how often a cache hit tries to reach it again, in ms. */
export const ACCESS_TOKEN_STORE_RESYNC_INTERVAL_MS = 1_000;

/** Default timeout of one Redis command of {@link RedisAccessTokenStore}, in ms. */
export const DEFAULT_REDIS_STORE_COMMAND_TIMEOUT_MS = 1_000;

/** Redis key of the shared access_token: `<keyPrefix>access_token:<appId>`. */
export function accessTokenKey(keyPrefix: string, appId: string): string {
  return `${keyPrefix}access_token:${appId}`;
}

/**
 * Redis key of the token endpoint's last refusal (errcode), kept `tokenRefusalTtlMs`:
 * `<keyPrefix>access_token_refusal:<appId>`.
 */
export function accessTokenRefusalKey(keyPrefix: string, appId: string): string {
  return `${keyPrefix}access_token_refusal:${appId}`;
}

/** Redis key of the refresh lock: `<keyPrefix>access_token_lock:<appId>`. */
export function accessTokenLockKey(keyPrefix: string, appId: string): string {
  return `${keyPrefix}access_token_lock:${appId}`;
}

/**
 * Redis key prefix of the marks of rejected tokens, one key per token:
 * `<keyPrefix>access_token_rejected:<appId>:<SHA-256 of the token, base64url>`.
 */
export function accessTokenRejectedKeyPrefix(keyPrefix: string, appId: string): string {
  return `${keyPrefix}access_token_rejected:${appId}:`;
}

/**
 * Redis key of the fleet-wide `force_refresh` limit (set for 30 s by the process that forces):
 * `<keyPrefix>access_token_force_refresh:<appId>`.
 */
export function accessTokenForceRefreshKey(keyPrefix: string, appId: string): string {
  return `${keyPrefix}access_token_force_refresh:${appId}`;
}
