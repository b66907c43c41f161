import type { Provider } from '@nestjs/common';
import { RedisService } from '@liaoliaots/nestjs-redis';
import type { Redis } from 'ioredis';
import { WechatConfigError } from './errors/wechat-config.error';
import type { WechatModuleOptions } from './interfaces/wechat-module-options.interface';
import { WECHAT_MODULE_OPTIONS } from './wechat.module-definition';
import { WECHAT_REDIS_CLIENT } from './wechat.constants';

/** Whether a value looks like an ioredis client (duck-typed, so any ioredis copy works). */
export function isRedisClient(value: unknown): value is Redis {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redis).eval === 'function' &&
    typeof (value as Redis).set === 'function' &&
    typeof (value as Redis).status === 'string'
  );
}

/**
 * Resolves the `redis` option to an ioredis client: the client itself, or a named client of
 * `@liaoliaots/nestjs-redis` looked up through its `RedisService`; `undefined` for in-memory mode.
 */
export const wechatRedisProvider: Provider = {
  provide: WECHAT_REDIS_CLIENT,
  inject: [WECHAT_MODULE_OPTIONS, { token: RedisService, optional: true }],
  useFactory: (options: WechatModuleOptions, service: RedisService | undefined) => {
    const redis = options?.redis;
    if (redis === undefined || redis === null) return undefined;
    if (isRedisClient(redis)) return redis;
    if (typeof redis !== 'object') {
      throw new WechatConfigError(
        '"redis" must be an ioredis client or { clientName } of a @liaoliaots/nestjs-redis client.',
      );
    }
    const clientName = redis.clientName ?? 'default';
    if (!service) {
      throw new WechatConfigError(
        `"redis" names the client "${clientName}", but RedisModule from @liaoliaots/nestjs-redis is not registered: import RedisModule.forRoot(...) in the host app.`,
      );
    }
    try {
      return service.getOrThrow(clientName);
    } catch {
      throw new WechatConfigError(
        `"redis" names the client "${clientName}", which @liaoliaots/nestjs-redis does not know.`,
      );
    }
  },
};
