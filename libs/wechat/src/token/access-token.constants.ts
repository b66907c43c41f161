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

/**
 * The prefix of every per-account Redis key: `<keyPrefix>{<appId>}:`. The braces are a Redis Cluster
 * hash tag, so an account's token, lock and every later credential share one slot (the scripts that
 * touch them together work on a Cluster) while different accounts spread over the cluster.
 */
export function accountKeyPrefix(keyPrefix: string, appId: string): string {
  return `${keyPrefix}{${appId}}:`;
}

/** Redis key of the shared access_token: `<keyPrefix>{<appId>}:access_token`. */
export function accessTokenKey(keyPrefix: string, appId: string): string {
  return `${accountKeyPrefix(keyPrefix, appId)}access_token`;
}

/**
 * Redis key of the token endpoint's last refusal (errcode), kept `tokenRefusalTtlMs`:
 * `<keyPrefix>{<appId>}:access_token_refusal`.
 */
export function accessTokenRefusalKey(keyPrefix: string, appId: string): string {
  return `${accountKeyPrefix(keyPrefix, appId)}access_token_refusal`;
}

/** Redis key of the refresh lock: `<keyPrefix>{<appId>}:access_token_lock`. */
export function accessTokenLockKey(keyPrefix: string, appId: string): string {
  return `${accountKeyPrefix(keyPrefix, appId)}access_token_lock`;
}

/**
 * Redis key prefix of the marks of rejected tokens, one key per token:
 * `<keyPrefix>{<appId>}:access_token_rejected:<SHA-256 of the token, base64url>`.
 */
export function accessTokenRejectedKeyPrefix(keyPrefix: string, appId: string): string {
  return `${accountKeyPrefix(keyPrefix, appId)}access_token_rejected:`;
}

/**
 * Redis key of the fleet-wide `force_refresh` limit (set for 30 s by the process that forces):
 * `<keyPrefix>{<appId>}:access_token_force_refresh`.
 */
export function accessTokenForceRefreshKey(keyPrefix: string, appId: string): string {
  return `${accountKeyPrefix(keyPrefix, appId)}access_token_force_refresh`;
}
