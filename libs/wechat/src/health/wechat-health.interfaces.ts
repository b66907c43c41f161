import type { CredentialRefreshFailure } from '../telemetry/credential-health.interface';

/** The shared store as the health indicator sees it: answering, not answering, or not configured. */
export type WechatRedisHealth = 'up' | 'down' | 'in-memory';

/**
 * The access_token of one account: a live copy is held (`fresh`); none, but nothing failed, so the
 * next call fetches one (`refreshable`); none, and the last refresh failed (`refresh_failed`).
 */
export type WechatAccessTokenHealth = 'fresh' | 'refreshable' | 'refresh_failed';

/** One account in the health details. */
export interface WechatAccountHealth {
  readonly accessToken: WechatAccessTokenHealth;
  /** The last failed refresh (class, errcode or reason, time), unless a later one succeeded. */
  readonly lastRefreshError?: CredentialRefreshFailure;
}

/** The details under the indicator's key, in `@nestjs/terminus`'s form (`status` first). */
export interface WechatHealthDetails {
  readonly status: 'up' | 'down';
  /** Redis (or `in-memory` when the module runs without it). */
  readonly redis: WechatRedisHealth;
  /** Per registered account, by name (`default` in the single-account form). */
  readonly accounts: Readonly<Record<string, WechatAccountHealth>>;
  /** What is failing, when `status` is `down`: `redis`, `accounts.<name>.accessToken`. */
  readonly failing?: readonly string[];
}

/**
 * A `@nestjs/terminus` health indicator result (`HealthIndicatorResult`): the details under the
 * key the host chose. Declared here so that the library's types do not need terminus installed.
 */
export type WechatHealthIndicatorResult<Key extends string = string> = {
  readonly [K in Key]: WechatHealthDetails;
};

/** Options of {@link WechatHealthIndicator.isHealthy}. */
export interface WechatHealthCheckOptions {
  /** How long Redis may take to answer `PING`, in ms (default 1000). */
  readonly redisTimeoutMs?: number;
}
