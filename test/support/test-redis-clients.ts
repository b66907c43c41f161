import Redis from 'ioredis';

const clients: Redis[] = [];

/**
 * A client of the run's private redis-server (WECHAT_TEST_REDIS_URL) that fails fast; closed by
 * {@link closeTestRedisClients}.
 */
export function testRedisClient(): Redis {
  const redis = new Redis(process.env.WECHAT_TEST_REDIS_URL as string, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  clients.push(redis);
  return redis;
}

/**
 * Closes every client from {@link testRedisClient}: quit() when connected, disconnect() otherwise,
 * never twice (ioredis would arm a 2 s timer on the closed stream and keep jest alive).
 */
export async function closeTestRedisClients(): Promise<void> {
  for (const redis of clients.splice(0)) {
    if (redis.status === 'ready') await redis.quit();
    else if (redis.status !== 'end') redis.disconnect();
  }
}
