import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  closeTestRedisClients,
  testRedisClient,
} from '../../../../test/support/test-redis-clients';
import type { AccessTokenStore } from './access-token-store.interface';
import { ForceRefreshPolicy } from './force-refresh.policy';
import { MemoryAccessTokenStore } from './memory-access-token.store';
import { RedisAccessTokenStore } from './redis-access-token.store';
import { SharedStoreHealth } from './shared-store.health';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const health = () => new SharedStoreHealth(new Logger('ForceRefreshPolicySpec'), 'test', () => []);

afterAll(closeTestRedisClients);

describe.each<[string, () => AccessTokenStore]>([
  ['MemoryAccessTokenStore', () => new MemoryAccessTokenStore()],
  ['RedisAccessTokenStore', () => new RedisAccessTokenStore(testRedisClient())],
])('ForceRefreshPolicy on %s', (_name, create) => {
  let store: AccessTokenStore;
  let key: string;

  beforeEach(() => {
    store = create();
    key = `unit:${randomUUID()}:access_token_force_refresh:wx1`;
  });

  it('a claim another process recorded in the store blocks this one until it expires', async () => {
    await store.set(key, 'elsewhere', 150, 'if-absent');
    const policy = new ForceRefreshPolicy(store, health(), key, 150);
    expect(await policy.tryClaim()).toBe(false);
    await sleep(200);
    expect(await policy.tryClaim()).toBe(true);
    expect((await store.get(key))?.ttlMs).toBeGreaterThan(0);
    expect(await policy.tryClaim()).toBe(false);
  });

  it('records its claim for the whole interval (another instance with the same key is refused)', async () => {
    expect(await new ForceRefreshPolicy(store, health(), key, 5000).tryClaim()).toBe(true);
    const stored = await store.get(key);
    expect(stored?.ttlMs).toBeGreaterThan(4000);
    expect(stored?.ttlMs).toBeLessThanOrEqual(5000);
    expect(await new ForceRefreshPolicy(store, health(), key, 5000).tryClaim()).toBe(false);
  });
});

describe('ForceRefreshPolicy with the store down', () => {
  it("falls back to this process's own record: one claim per interval", async () => {
    const redis = testRedisClient();
    const store = new RedisAccessTokenStore(redis);
    await store.get('unit:any');
    redis.disconnect();
    const key = `unit:${randomUUID()}:access_token_force_refresh:wx1`;
    const storeHealth = health();
    const policy = new ForceRefreshPolicy(store, storeHealth, key, 150);
    expect(await policy.tryClaim()).toBe(true);
    expect(storeHealth.down).toBe(true);
    expect(await policy.tryClaim()).toBe(false);
    await sleep(200);
    expect(await policy.tryClaim()).toBe(true);
  });
});
