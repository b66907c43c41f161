import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { LegacyKeysAccessTokenStore, legacyAccessTokenKey } from './legacy-keys-access-token.store';
import { RedisAccessTokenStore } from './redis-access-token.store';
import {
  closeTestRedisClients,
  testRedisClient,
} from '../../../../test/support/test-redis-clients';

afterAll(closeTestRedisClients);

describe('legacyAccessTokenKey', () => {
  it('maps the token and lock keys to the names of versions before 0.2', () => {
    expect(legacyAccessTokenKey('wechat:{wx1}:access_token')).toBe('wechat:access_token:wx1');
    expect(legacyAccessTokenKey('wechat:{wx1}:access_token_lock')).toBe(
      'wechat:access_token_lock:wx1',
    );
    expect(legacyAccessTokenKey('{wx1}:access_token')).toBe('access_token:wx1');
  });

  it('has no old name for the keys that came with 0.2', () => {
    expect(legacyAccessTokenKey('wechat:{wx1}:access_token_refusal')).toBeUndefined();
    expect(legacyAccessTokenKey('wechat:{wx1}:access_token_force_refresh')).toBeUndefined();
    expect(legacyAccessTokenKey('wechat:{wx1}:access_token_rejected:abc')).toBeUndefined();
    expect(legacyAccessTokenKey('wechat:access_token:wx1')).toBeUndefined();
  });
});

describe('LegacyKeysAccessTokenStore (rolling deploy from the old key names)', () => {
  let redis: Redis;
  let store: LegacyKeysAccessTokenStore;
  let prefix: string;
  let key: string;
  let lock: string;
  let oldKey: string;
  let oldLock: string;

  beforeEach(() => {
    redis = testRedisClient();
    store = new LegacyKeysAccessTokenStore(new RedisAccessTokenStore(redis));
    prefix = `unit:${randomUUID()}:`;
    key = `${prefix}{wx1}:access_token`;
    lock = `${prefix}{wx1}:access_token_lock`;
    oldKey = `${prefix}access_token:wx1`;
    oldLock = `${prefix}access_token_lock:wx1`;
  });

  it('reads a token an old instance stored when the new key is empty', async () => {
    await redis.set(oldKey, 'OLD', 'PX', 5000);
    const stored = await store.get(key);
    expect(stored?.value).toBe('OLD');
    expect(stored?.ttlMs).toBeGreaterThan(4000);
  });

  it('prefers the new key over the old one', async () => {
    await redis.set(oldKey, 'OLD', 'PX', 5000);
    await redis.set(key, 'NEW', 'PX', 5000);
    expect((await store.get(key))?.value).toBe('NEW');
  });

  it('mirrors a token written as lock holder to the old name, with the same TTL', async () => {
    expect(await store.tryLock(lock, 'me', 5000)).toEqual({ acquired: true });
    expect(await store.setIfLockOwner(key, 'T1', 7000, lock, 'me')).toBe('written');
    expect(await redis.get(oldKey)).toBe('T1');
    expect(await redis.pttl(oldKey)).toBeGreaterThan(6000);
  });

  it('does not mirror a token that was kept out (lock lost, newer token stored)', async () => {
    await redis.set(key, 'NEWER', 'PX', 5000);
    expect(await store.setIfLockOwner(key, 'T1', 7000, lock, 'me')).toBe('kept-existing');
    expect(await redis.get(oldKey)).toBeNull();
  });

  it('takes the lock under both names, and waits while an old instance holds the old one', async () => {
    await redis.set(oldLock, 'old-instance', 'PX', 3000);
    const attempt = await store.tryLock(lock, 'me', 5000);
    expect(attempt.acquired).toBe(false);
    expect(attempt.acquired === false && attempt.remainingMs).toBeGreaterThan(2000);
    // The new name was given back, so the next holder is not blocked by us.
    expect(await redis.get(lock)).toBeNull();

    await redis.del(oldLock);
    expect(await store.tryLock(lock, 'me', 5000)).toEqual({ acquired: true });
    expect(await redis.get(lock)).toBe('me');
    expect(await redis.get(oldLock)).toBe('me');
    expect(await store.extendLock(lock, 'me', 9000)).toBe(true);
    expect(await redis.pttl(oldLock)).toBeGreaterThan(8000);
    expect(await store.unlock(lock, 'me')).toBe(true);
    expect(await redis.exists(lock, oldLock)).toBe(0);
  });

  it('compare-and-deletes a rejected token under both names, never a newer one', async () => {
    await redis.set(key, 'BAD', 'PX', 5000);
    await redis.set(oldKey, 'BAD', 'PX', 5000);
    expect(await store.compareAndDelete(key, 'BAD')).toBe(true);
    expect(await redis.exists(key, oldKey)).toBe(0);

    await redis.set(oldKey, 'NEWER', 'PX', 5000);
    expect(await store.compareAndDelete(key, 'BAD')).toBe(false);
    expect(await redis.get(oldKey)).toBe('NEWER');
  });

  it('deletes and sets both names; keys without an old name are untouched', async () => {
    expect(await store.set(key, 'T2', 5000)).toBe(true);
    expect(await redis.get(oldKey)).toBe('T2');
    expect(await store.delete(key)).toBe(true);
    expect(await redis.exists(key, oldKey)).toBe(0);

    const refusal = `${prefix}{wx1}:access_token_refusal`;
    expect(await store.set(refusal, '40164', 5000)).toBe(true);
    expect(await redis.keys(`${prefix}*`)).toEqual([refusal]);
  });
});
