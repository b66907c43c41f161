import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import { MemoryPushDedupStore } from './memory-push-dedup.store';
import type { PushDedupStore } from './push-dedup-store.interface';
import { RedisPushDedupStore } from './redis-push-dedup.store';
import {
  closeTestRedisClients,
  testRedisClient,
} from '../../../../test/support/test-redis-clients';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ANSWER = { body: '<xml>r</xml>', contentType: 'application/xml; charset=utf-8' };

afterAll(closeTestRedisClients);

describe.each<[string, () => Promise<PushDedupStore>]>([
  ['MemoryPushDedupStore', () => Promise.resolve(new MemoryPushDedupStore())],
  [
    'RedisPushDedupStore',
    async () => {
      const redis = testRedisClient();
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      return new RedisPushDedupStore(redis, `unit:${randomUUID()}:`);
    },
  ],
])('%s (PushDedupStore contract)', (_name, create) => {
  let store: PushDedupStore;
  beforeEach(async () => {
    store = await create();
  });

  it('the first claim wins; others see pending, then the answer once completed', async () => {
    expect(await store.peek('k')).toEqual({ state: 'absent' });
    expect(await store.claim('k', 'A', 5000)).toEqual({ state: 'claimed' });
    expect(await store.claim('k', 'B', 5000)).toEqual({ state: 'pending' });
    expect(await store.peek('k')).toEqual({ state: 'pending' });
    await store.complete('k', 'A', ANSWER, 5000);
    expect(await store.claim('k', 'B', 5000)).toEqual({ state: 'done', response: ANSWER });
    expect(await store.peek('k')).toEqual({ state: 'done', response: ANSWER });
  });

  it('release frees only the owner’s claim', async () => {
    await store.claim('k', 'A', 5000);
    await store.release('k', 'B');
    expect(await store.peek('k')).toEqual({ state: 'pending' });
    await store.release('k', 'A');
    expect(await store.peek('k')).toEqual({ state: 'absent' });
    expect(await store.claim('k', 'B', 5000)).toEqual({ state: 'claimed' });
  });

  it('a claim expires (crashed owner); its late completion still records, but never over another claim', async () => {
    await store.claim('k', 'A', 40);
    await sleep(80);
    expect(await store.peek('k')).toEqual({ state: 'absent' });
    await store.complete('k', 'A', ANSWER, 5000);
    expect(await store.peek('k')).toEqual({ state: 'done', response: ANSWER });

    await store.claim('j', 'A', 40);
    await sleep(80);
    expect(await store.claim('j', 'B', 5000)).toEqual({ state: 'claimed' });
    await store.complete('j', 'A', ANSWER, 5000);
    expect(await store.peek('j')).toEqual({ state: 'pending' });
  });

  it('an answer expires after its TTL', async () => {
    await store.claim('k', 'A', 5000);
    await store.complete('k', 'A', ANSWER, 40);
    await sleep(80);
    expect(await store.peek('k')).toEqual({ state: 'absent' });
  });
});

describe('RedisPushDedupStore without a connection', () => {
  it('refuses with WechatTokenStoreError, bounded in time', async () => {
    const redis = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0 });
    redis.on('error', () => undefined);
    const store = new RedisPushDedupStore(redis, 'x:');
    await expect(store.claim('k', 'A', 1000)).rejects.toThrow(WechatTokenStoreError);
    await expect(store.peek('k')).rejects.toThrow(WechatTokenStoreError);
    redis.disconnect();
  });
});
