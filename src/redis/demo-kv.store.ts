import { Injectable, Optional } from '@nestjs/common';
import { ClusterService, RedisService } from '@liaoliaots/nestjs-redis';
import type { WechatRedisClient } from '@app/wechat';

/**
 * The demo's own small records (login scenes, sessions) as JSON with a TTL: in the demo's Redis
 * (shared by every instance: REDIS_URL, a Sentinel or a Cluster client, see demo-redis.ts),
 * otherwise in this process's memory.
 */
@Injectable()
export class DemoKvStore {
  private readonly memory = new Map<string, { json: string; until: number }>();

  constructor(
    @Optional() private readonly redisService?: RedisService,
    @Optional() private readonly clusterService?: ClusterService,
  ) {}

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const json = JSON.stringify(value);
    const redis = this.redis();
    if (redis) {
      await redis.set(key, json, 'PX', Math.max(1, Math.ceil(ttlMs)));
      return;
    }
    this.memory.set(key, { json, until: Date.now() + ttlMs });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const redis = this.redis();
    if (redis) {
      const json = await redis.get(key);
      return json === null ? undefined : (JSON.parse(json) as T);
    }
    const entry = this.memory.get(key);
    if (entry && entry.until <= Date.now()) this.memory.delete(key);
    return entry && entry.until > Date.now() ? (JSON.parse(entry.json) as T) : undefined;
  }

  async delete(key: string): Promise<void> {
    const redis = this.redis();
    if (redis) await redis.del(key);
    else this.memory.delete(key);
  }

  /** The demo's client named `default`, whichever module registered it. */
  private redis(): WechatRedisClient | undefined {
    return this.clusterService?.getOrThrow() ?? this.redisService?.getOrThrow();
  }
}
