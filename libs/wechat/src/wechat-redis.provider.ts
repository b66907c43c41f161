import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { WechatConfigError } from './errors/wechat-config.error';
import { loadOptionalPeer } from './optional-peer.util';
import type { WechatModuleOptions } from './interfaces/wechat-module-options.interface';
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

type NestjsRedis = typeof import('@liaoliaots/nestjs-redis');
type RedisService = InstanceType<NestjsRedis['RedisService']>;

/**
 * Resolves the `redis` option to an ioredis client: the client itself, or a named client of
 * `@liaoliaots/nestjs-redis` looked up through its `RedisService`; `undefined` for in-memory mode.
 *
 * `@liaoliaots/nestjs-redis` (and with it `ioredis`) is an optional peer: it is looked for when the
 * module is defined (`forRoot`/`forRootAsync`), not when the library is loaded, and an app without
 * it works in every mode but `{ clientName }`.
 *
 * @param moduleOptionsToken the token of the raw module options.
 */
export function createWechatRedisProvider(moduleOptionsToken: symbol | string): Provider {
  const nestjsRedis = loadOptionalPeer<NestjsRedis>('@liaoliaots/nestjs-redis');
  return {
    provide: WECHAT_REDIS_CLIENT,
    inject: [
      moduleOptionsToken,
      ...(nestjsRedis ? [{ token: nestjsRedis.RedisService, optional: true }] : []),
    ],
    useFactory: (options: WechatModuleOptions, service?: RedisService) =>
      resolveRedisOption(options?.redis, nestjsRedis !== undefined, service),
  };
}

function resolveRedisOption(
  redis: WechatModuleOptions['redis'] | null,
  installed: boolean,
  service: RedisService | undefined,
): Redis | undefined {
  if (redis === undefined || redis === null) return undefined;
  if (isRedisClient(redis)) return redis;
  if (typeof redis !== 'object') {
    throw new WechatConfigError(
      '"redis" must be an ioredis client or { clientName } of a @liaoliaots/nestjs-redis client.',
    );
  }
  const clientName = redis.clientName ?? 'default';
  if (!installed) {
    throw new WechatConfigError(
      `"redis" names the client "${clientName}" of @liaoliaots/nestjs-redis, which is not installed: run \`npm install @liaoliaots/nestjs-redis ioredis\`, or pass an ioredis client as "redis".`,
    );
  }
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
}
