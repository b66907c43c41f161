import type { Provider } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { WechatConfigError } from './errors/wechat-config.error';
import { loadOptionalPeer } from './optional-peer.util';
import type { WechatModuleOptions } from './interfaces/wechat-module-options.interface';
import { WECHAT_REDIS_CLIENT } from './wechat.constants';

/** Whether a value looks like an ioredis client or Cluster (duck-typed: any ioredis copy works). */
export function isRedisClient(value: unknown): value is Redis | Cluster {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redis).eval === 'function' &&
    typeof (value as Redis).set === 'function' &&
    typeof (value as Redis).status === 'string'
  );
}

type NestjsRedis = typeof import('@liaoliaots/nestjs-redis');

/** The two registries of `@liaoliaots/nestjs-redis` that a client name is looked up in. */
interface NamedClientRegistries {
  readonly installed: boolean;
  readonly redis?: { getOrNil(name: string): Redis | null };
  readonly cluster?: { getOrNil(name: string): Cluster | null };
}

/**
 * Resolves the `redis` option to an ioredis client (or Cluster): the client itself, or a named
 * client of `@liaoliaots/nestjs-redis`, looked up in its `RedisModule` and `ClusterModule`;
 * `undefined` for in-memory mode.
 *
 * The rule for a name: it is looked up in both modules that the host registered; found in one, that
 * client is used; found in both, `kind: 'redis' | 'cluster'` must say which (else a
 * {@link WechatConfigError}); found in neither, a {@link WechatConfigError} names it.
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
      ...(nestjsRedis
        ? [
            { token: nestjsRedis.RedisService, optional: true },
            { token: nestjsRedis.ClusterService, optional: true },
          ]
        : []),
    ],
    useFactory: (
      options: WechatModuleOptions,
      redis?: NamedClientRegistries['redis'],
      cluster?: NamedClientRegistries['cluster'],
    ) =>
      resolveRedisOption(options?.redis, { installed: nestjsRedis !== undefined, redis, cluster }),
  };
}

function resolveRedisOption(
  redis: WechatModuleOptions['redis'] | null,
  registries: NamedClientRegistries,
): Redis | Cluster | undefined {
  if (redis === undefined || redis === null) return undefined;
  if (isRedisClient(redis)) return redis;
  if (typeof redis !== 'object') {
    throw new WechatConfigError(
      '"redis" must be an ioredis client or Cluster, or { clientName } of a @liaoliaots/nestjs-redis client.',
    );
  }
  const { clientName = 'default', kind } = redis;
  if (kind !== undefined && kind !== 'redis' && kind !== 'cluster') {
    throw new WechatConfigError('"redis.kind" must be "redis" or "cluster".');
  }
  if (!registries.installed) {
    throw new WechatConfigError(
      `"redis" names the client "${clientName}" of @liaoliaots/nestjs-redis, which is not installed: run \`npm install @liaoliaots/nestjs-redis ioredis\`, or pass an ioredis client as "redis".`,
    );
  }
  if (!registries.redis && !registries.cluster) {
    throw new WechatConfigError(
      `"redis" names the client "${clientName}", but RedisModule from @liaoliaots/nestjs-redis is not registered: import RedisModule.forRoot(...) (or ClusterModule.forRoot(...)) in the host app.`,
    );
  }
  const standalone = kind === 'cluster' ? null : (registries.redis?.getOrNil(clientName) ?? null);
  const cluster = kind === 'redis' ? null : (registries.cluster?.getOrNil(clientName) ?? null);
  if (standalone && cluster) {
    throw new WechatConfigError(
      `"redis" names the client "${clientName}", which both RedisModule and ClusterModule register: add kind: 'redis' or kind: 'cluster' to say which.`,
    );
  }
  const client = standalone ?? cluster;
  if (!client) {
    const where = kind === 'cluster' ? 'ClusterModule' : kind === 'redis' ? 'RedisModule' : '';
    throw new WechatConfigError(
      `"redis" names the client "${clientName}", which @liaoliaots/nestjs-redis ${where ? `${where} ` : ''}does not know.`,
    );
  }
  return client;
}
