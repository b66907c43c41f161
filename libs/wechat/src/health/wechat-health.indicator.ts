import { Inject, Injectable, Optional } from '@nestjs/common';
import type { WechatRedisClient } from '../redis/wechat-redis-client.type';
import { WechatAccounts } from '../accounts/wechat-accounts.registry';
import { WECHAT_REDIS_CLIENT } from '../wechat.constants';
import type {
  WechatAccountHealth,
  WechatHealthCheckOptions,
  WechatHealthDetails,
  WechatHealthIndicatorResult,
  WechatRedisHealth,
} from './wechat-health.interfaces';

const DEFAULT_REDIS_TIMEOUT_MS = 1000;
/** ioredis connection states in which a command would only wait for a reconnection. */
const LOST_STATUSES: ReadonlySet<string> = new Set(['reconnecting', 'close', 'end']);

/**
 * A health indicator for `@nestjs/terminus` (an optional peer: nothing of terminus is loaded by the
 * library). Reports Redis (a `PING` within `redisTimeoutMs`, or `in-memory` when the module runs
 * without it) and the access_token of each registered account, by name (`fresh`, `refreshable`, or `refresh_failed` with
 * the last refresh error). `up` or `down` with those details, in terminus's own result form:
 *
 * ```ts
 * this.health.check([() => this.wechat.isHealthy('wechat')])
 * ```
 *
 * It never throws: a failing part makes the result `down` and is named under `failing`. No token,
 * secret or error message is in the details.
 */
@Injectable()
export class WechatHealthIndicator {
  constructor(
    private readonly accounts: WechatAccounts,
    @Optional()
    @Inject(WECHAT_REDIS_CLIENT)
    private readonly redis: WechatRedisClient | undefined,
  ) {}

  /**
   * Checks Redis and every account's access_token.
   * @param key the key of the result (terminus's indicator key), e.g. `wechat`.
   */
  async isHealthy<Key extends string>(
    key: Key,
    options: WechatHealthCheckOptions = {},
  ): Promise<WechatHealthIndicatorResult<Key>> {
    const redis = await this.checkRedis(options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS);
    const failing: string[] = [];
    if (redis === 'down') failing.push('redis');
    const accounts: Record<string, WechatAccountHealth> = {};
    for (const name of this.accounts.names()) {
      const token = this.accounts.find(name)?.tokens.credentialHealth();
      if (token === undefined) continue;
      const account: WechatAccountHealth = {
        accessToken: token.fresh
          ? 'fresh'
          : token.lastRefreshError === undefined
            ? 'refreshable'
            : 'refresh_failed',
        ...(token.lastRefreshError ? { lastRefreshError: token.lastRefreshError } : {}),
      };
      accounts[name] = account;
      if (account.accessToken === 'refresh_failed') failing.push(`accounts.${name}.accessToken`);
    }
    const details: WechatHealthDetails = {
      status: failing.length === 0 ? 'up' : 'down',
      redis,
      accounts,
      ...(failing.length > 0 ? { failing } : {}),
    };
    return { [key]: details } as WechatHealthIndicatorResult<Key>;
  }

  private async checkRedis(timeoutMs: number): Promise<WechatRedisHealth> {
    const client = this.redis;
    if (client === undefined) return 'in-memory';
    // Reconnecting after a lost connection, or closed: down without waiting. Still connecting
    // for the first time (or lazy): the PING, within the timeout, says.
    if (LOST_STATUSES.has(client.status)) return 'down';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'down'>((resolve) => {
      timer = setTimeout(() => resolve('down'), timeoutMs);
      timer.unref();
    });
    const ping = client.ping().then(
      (answer) => (answer === 'PONG' ? 'up' : 'down'),
      () => 'down' as const,
    );
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
