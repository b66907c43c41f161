import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { WechatStoreKeyTypeError } from '../errors/wechat-store.error';
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

  it('a claim already held by the same owner counts as claimed (a retried command)', async () => {
    expect(await store.claim('k', 'A', 5000)).toEqual({ state: 'claimed' });
    expect(await store.claim('k', 'A', 5000)).toEqual({ state: 'claimed' });
    expect(await store.claim('k', 'B', 5000)).toEqual({ state: 'pending' });
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
    const store = new RedisPushDedupStore(redis, 'x:', { storeWaitMs: 100 });
    await expect(store.claim('k', 'A', 1000)).rejects.toThrow(WechatTokenStoreError);
    await expect(store.peek('k')).rejects.toThrow(WechatTokenStoreError);
    redis.disconnect();
  });
});

describe('RedisPushDedupStore batching and encoding (a real Redis)', () => {
  let redis: Redis;
  let store: RedisPushDedupStore;
  let prefix: string;
  beforeEach(async () => {
    redis = testRedisClient();
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    prefix = `unit:${randomUUID()}:`;
    store = new RedisPushDedupStore(redis, prefix);
  });
  afterEach(() => jest.restoreAllMocks());

  it('sends the claims of one turn as one script call, each answered for its own key', async () => {
    await store.claim('held', 'B', 5000);
    await store.claim('answered', 'B', 5000);
    await store.complete('answered', 'B', ANSWER, 5000);
    const calls = jest.spyOn(redis, 'evalsha');
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const results = await Promise.all([
      ...keys.map((key) => store.claim(key, 'A', 5000)),
      store.claim('held', 'A', 5000),
      store.claim('answered', 'A', 5000),
    ]);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(results).toEqual([
      ...keys.map(() => ({ state: 'claimed' })),
      { state: 'pending' },
      { state: 'done', response: ANSWER },
    ]);
  });

  it('gives a key claimed twice in one batch to the first caller only', async () => {
    const [first, second] = await Promise.all([
      store.claim('k', 'A', 5000),
      store.claim('k', 'B', 5000),
    ]);
    expect(first).toEqual({ state: 'claimed' });
    expect(second).toEqual({ state: 'pending' });
    await store.release('k', 'B');
    expect(await store.peek('k')).toEqual({ state: 'pending' });
  });

  it('settles completions and releases of one turn in one script call, each owner-checked', async () => {
    await Promise.all(['a', 'b', 'c'].map((key) => store.claim(key, 'A', 5000)));
    await store.claim('theirs', 'B', 5000);
    const calls = jest.spyOn(redis, 'evalsha');
    await Promise.all([
      store.complete('a', 'A', ANSWER, 5000),
      store.release('b', 'A'),
      store.complete('c', 'A', { body: 'success', contentType: 'text/plain' }, 5000),
      store.complete('theirs', 'A', ANSWER, 5000),
      store.release('theirs', 'A'),
      store.complete('free', 'A', ANSWER, 5000),
    ]);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(
      await Promise.all(['a', 'b', 'c', 'theirs', 'free'].map((key) => store.peek(key))),
    ).toEqual([
      { state: 'done', response: ANSWER },
      { state: 'absent' },
      { state: 'done', response: { body: 'success', contentType: 'text/plain' } },
      { state: 'pending' },
      { state: 'done', response: ANSWER },
    ]);
  });

  it('sends the claims and the settlements of one turn together, in call order', async () => {
    await Promise.all([store.claim('mine', 'A', 5000), store.claim('gone', 'A', 5000)]);
    const calls = jest.spyOn(redis, 'evalsha');
    const [completed, claimedAfter, released, fresh] = await Promise.all([
      store.complete('mine', 'A', ANSWER, 5000),
      store.claim('mine', 'B', 5000),
      store.release('gone', 'A'),
      store.claim('gone', 'B', 5000),
    ]);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(completed).toBeUndefined();
    expect(claimedAfter).toEqual({ state: 'done', response: ANSWER });
    expect(released).toBeUndefined();
    expect(fresh).toEqual({ state: 'claimed' });
    expect(await redis.get(`${prefix}gone`)).toBe('p:B');
  });

  it('a TTL Redis would refuse does not fail the other calls of its batch', async () => {
    await store.claim('odd', 'A', 5000);
    const results = await Promise.all([
      store.claim('fine', 'A', 5000),
      store.complete('odd', 'A', ANSWER, 12.5),
      store.claim('zero', 'A', 0),
    ]);
    expect(results).toEqual([{ state: 'claimed' }, undefined, { state: 'claimed' }]);
    expect(await store.peek('odd')).toEqual({ state: 'done', response: ANSWER });
    expect(await redis.pttl(`${prefix}odd`)).toBeGreaterThan(0);
  });

  it('keeps an answer with line breaks exactly, and reads answers written by earlier versions', async () => {
    const multiline = { body: '<xml>\n<a>1</a>\r\n</xml>\n', contentType: 'application/xml' };
    await store.claim('k', 'A', 5000);
    await store.complete('k', 'A', multiline, 5000);
    expect(await store.peek('k')).toEqual({ state: 'done', response: multiline });
    // A rolling deploy: an instance of the previous version recorded this answer.
    await redis.set(`${prefix}old`, 'd:' + JSON.stringify([ANSWER.contentType, ANSWER.body]));
    expect(await store.claim('old', 'A', 5000)).toEqual({ state: 'done', response: ANSWER });
    // A value no version writes is a handling in progress elsewhere (it expires).
    await redis.set(`${prefix}odd`, 'x:whatever');
    expect(await store.peek('odd')).toEqual({ state: 'pending' });
  });

  it('keeps the answer TTL of each completion', async () => {
    await Promise.all([store.claim('short', 'A', 5000), store.claim('long', 'A', 5000)]);
    await Promise.all([
      store.complete('short', 'A', ANSWER, 40),
      store.complete('long', 'A', ANSWER, 5000),
    ]);
    await sleep(80);
    expect(await store.peek('short')).toEqual({ state: 'absent' });
    expect(await store.peek('long')).toEqual({ state: 'done', response: ANSWER });
  });

  it('a key of another type (WRONGTYPE) fails alone: the other claims of its turn are made', async () => {
    await redis.hset(`${prefix}bad`, 'field', 'value');
    const results = await Promise.allSettled([
      store.claim('first', 'A', 5000),
      store.claim('bad', 'A', 5000),
      store.claim('third', 'A', 5000),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: { state: 'claimed' } });
    expect(results[1].status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(WechatStoreKeyTypeError);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: 'WECHAT_STORE_KEY_TYPE',
    });
    expect(results[2]).toEqual({ status: 'fulfilled', value: { state: 'claimed' } });
    expect(await redis.get(`${prefix}first`)).toBe('p:A');
    expect(await redis.get(`${prefix}third`)).toBe('p:A');
    const settled = await Promise.allSettled([
      store.complete('first', 'A', ANSWER, 5000),
      store.complete('bad', 'A', ANSWER, 5000),
      store.release('third', 'A'),
      store.peek('bad'),
    ]);
    expect(settled.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect(await store.peek('first')).toEqual({ state: 'done', response: ANSWER });
    expect(await store.peek('third')).toEqual({ state: 'absent' });
    expect(await redis.hget(`${prefix}bad`, 'field')).toBe('value');
  });

  it('reads the previous version’s key name (no hash tag) before claiming: a rolling deploy', async () => {
    const calls = jest.spyOn(redis, 'evalsha');
    await redis.set(`${prefix}push:wx1:id:1`, 'a:text/plain\nold answer');
    await redis.set(`${prefix}push:wx1:id:2`, 'p:an-old-instance', 'PX', 5000);
    const [answered, handled, fresh] = await Promise.all([
      store.claim('push:{wx1:id:1}', 'A', 5000),
      store.claim('push:{wx1:id:2}', 'A', 5000),
      store.claim('push:{wx1:id:3}', 'A', 5000),
    ]);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(answered).toEqual({
      state: 'done',
      response: { contentType: 'text/plain', body: 'old answer' },
    });
    expect(handled).toEqual({ state: 'pending' });
    expect(fresh).toEqual({ state: 'claimed' });
    expect(await redis.exists(`${prefix}push:{wx1:id:1}`, `${prefix}push:{wx1:id:2}`)).toBe(0);
    expect(await store.peek('push:{wx1:id:2}')).toEqual({ state: 'pending' });
    await redis.set(`${prefix}push:wx1:id:2`, 'a:text/plain\nlater');
    expect(await store.peek('push:{wx1:id:2}')).toEqual({
      state: 'done',
      response: { contentType: 'text/plain', body: 'later' },
    });
    await redis.del(`${prefix}push:wx1:id:2`);
    expect(await store.peek('push:{wx1:id:2}')).toEqual({ state: 'absent' });
    expect(await store.claim('push:{wx1:id:2}', 'A', 5000)).toEqual({ state: 'claimed' });
  });

  it('reads no old key name when told not to', async () => {
    await redis.set(`${prefix}push:wx1:id:9`, 'a:text/plain\nold answer');
    const modern = new RedisPushDedupStore(redis, prefix, { readLegacyKeys: false });
    expect(await modern.claim('push:{wx1:id:9}', 'A', 5000)).toEqual({ state: 'claimed' });
  });
});
