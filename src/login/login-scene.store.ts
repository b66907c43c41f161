import { Injectable, Optional } from '@nestjs/common';
import { ClusterService, RedisService } from '@liaoliaots/nestjs-redis';
import type { WechatRedisClient, WechatUserInfo } from '@app/wechat';

/** The state of one "scan to log in" scene. */
export interface LoginScene {
  /** The account that issued the scene. */
  readonly account?: string;
  readonly expiresAt: number;
  readonly openId?: string;
  readonly user?: WechatUserInfo;
}

/** How long a scene's record outlives its QR code, so the page can still be told "expired". */
const GRACE_MS = 10 * 60 * 1000;

/**
 * Where login scenes live: in the demo's Redis (shared by every instance: REDIS_URL, a Sentinel or
 * a Cluster client, see src/redis/demo-redis.ts), otherwise in this process's memory. A record is kept for the QR code's lifetime plus a grace period.
 */
@Injectable()
export class LoginSceneStore {
  private readonly memory = new Map<string, { scene: LoginScene; until: number }>();

  constructor(
    @Optional() private readonly redisService?: RedisService,
    @Optional() private readonly clusterService?: ClusterService,
  ) {}

  /** The demo's client named `default`, whichever module registered it. */
  private redis(): WechatRedisClient | undefined {
    return this.clusterService?.getOrThrow() ?? this.redisService?.getOrThrow();
  }

  async save(sceneId: string, scene: LoginScene): Promise<void> {
    const ttlMs = Math.max(scene.expiresAt - Date.now(), 0) + GRACE_MS;
    const redis = this.redis();
    if (redis) {
      await redis.set(this.key(sceneId), JSON.stringify(scene), 'PX', ttlMs);
      return;
    }
    this.memory.set(sceneId, { scene, until: Date.now() + ttlMs });
  }

  async get(sceneId: string): Promise<LoginScene | undefined> {
    const redis = this.redis();
    if (redis) {
      const value = await redis.get(this.key(sceneId));
      return value ? (JSON.parse(value) as LoginScene) : undefined;
    }
    const entry = this.memory.get(sceneId);
    if (entry && entry.until <= Date.now()) this.memory.delete(sceneId);
    return entry && entry.until > Date.now() ? entry.scene : undefined;
  }

  private key(sceneId: string): string {
    return `demo:login:${sceneId}`;
  }
}
