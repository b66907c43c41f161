import type { Cluster, Redis } from 'ioredis';

/** The Redis clients the module works with: a standalone/Sentinel ioredis client or a Cluster. */
export type WechatRedisClient = Redis | Cluster;
