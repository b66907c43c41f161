import { startRedisServer, type RedisServerHandle } from './redis-server';

declare global {
  var __WECHAT_TEST_REDIS__: RedisServerHandle | undefined;
}

/**
 * Starts one private redis-server for the whole run and publishes its URL to the test workers
 * as WECHAT_TEST_REDIS_URL. Idempotent: with several jest projects only the first one starts it.
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.__WECHAT_TEST_REDIS__) return;
  const redis = await startRedisServer();
  globalThis.__WECHAT_TEST_REDIS__ = redis;
  process.env.WECHAT_TEST_REDIS_URL = redis.url;
}
