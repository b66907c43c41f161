import type { DynamicModule } from '@nestjs/common';
import { ClusterModule, RedisModule } from '@liaoliaots/nestjs-redis';
import type { WechatNamedRedisClient } from '@app/wechat';
import { DemoEnvError } from '../config/demo-env.error';

/** Which Redis the demo uses, from its environment. */
export type DemoRedis =
  | { readonly kind: 'none' }
  | { readonly kind: 'url'; readonly url: string }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: { host: string; port: number }[];
      readonly name: string;
    }
  | { readonly kind: 'cluster'; readonly nodes: { host: string; port: number }[] };

/** `host:port,host:port,…` → `[{ host, port }]`; a clear error names the variable otherwise. */
function hostPorts(variable: string, value: string): { host: string; port: number }[] {
  return value.split(',').map((entry) => {
    const match = /^\s*([^\s:]+):(\d{1,5})\s*$/.exec(entry);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65_535) {
      throw new DemoEnvError(
        variable,
        `${variable} must be a comma-separated list of host:port (got "${entry}").`,
      );
    }
    return { host: match[1], port };
  });
}

/**
 * Reads the demo's Redis configuration: `REDIS_CLUSTER_NODES=host:port,…` (an ioredis Cluster),
 * else `REDIS_SENTINELS=host:port,…` with `REDIS_SENTINEL_NAME` (default `mymaster`, a
 * Sentinel-managed primary), else `REDIS_URL`; none of them → in memory. The variables are rows of
 * `DEMO_ENV_TABLE` (`config/wechat-env.table.ts`).
 *
 * @throws DemoEnvError when a host:port list is malformed.
 */
export function readDemoRedis(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DemoRedis {
  if (env.REDIS_CLUSTER_NODES) {
    return { kind: 'cluster', nodes: hostPorts('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES) };
  }
  if (env.REDIS_SENTINELS) {
    return {
      kind: 'sentinel',
      sentinels: hostPorts('REDIS_SENTINELS', env.REDIS_SENTINELS),
      name: env.REDIS_SENTINEL_NAME || 'mymaster',
    };
  }
  if (env.REDIS_URL) return { kind: 'url', url: env.REDIS_URL };
  return { kind: 'none' };
}

/** The `@liaoliaots/nestjs-redis` module that registers the demo's client named `default`. */
export function demoRedisModules(redis: DemoRedis): DynamicModule[] {
  // Fail fast while Redis is down (maxRetriesPerRequest 1); the WeChat module never queues.
  switch (redis.kind) {
    case 'none':
      return [];
    case 'url':
      return [
        RedisModule.forRoot({
          config: { url: redis.url, maxRetriesPerRequest: 1 },
          readyLog: false,
          closeClient: true,
        }),
      ];
    case 'sentinel':
      return [
        RedisModule.forRoot({
          config: {
            sentinels: redis.sentinels,
            name: redis.name,
            role: 'master',
            maxRetriesPerRequest: 1,
          },
          readyLog: false,
          closeClient: true,
        }),
      ];
    case 'cluster':
      return [
        ClusterModule.forRoot({
          config: { nodes: redis.nodes, redisOptions: { maxRetriesPerRequest: 1 } },
          readyLog: false,
          closeClient: true,
        }),
      ];
  }
}

/** The WeChat module's `redis` option for that client. */
export function demoWechatRedis(redis: DemoRedis): WechatNamedRedisClient | undefined {
  if (redis.kind === 'none') return undefined;
  return { clientName: 'default', kind: redis.kind === 'cluster' ? 'cluster' : 'redis' };
}
