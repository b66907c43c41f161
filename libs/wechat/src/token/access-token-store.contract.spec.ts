import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import type { AccessTokenStore } from './access-token-store.interface';
import { MemoryAccessTokenStore } from './memory-access-token.store';
import { RedisAccessTokenStore } from './redis-access-token.store';
import { LegacyKeysAccessTokenStore } from './legacy-keys-access-token.store';
import {
  closeTestRedisClients,
  testRedisClient,
} from '../../../../test/support/test-redis-clients';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(closeTestRedisClients);

describe.each<[string, () => AccessTokenStore]>([
  ['MemoryAccessTokenStore', () => new MemoryAccessTokenStore()],
  ['RedisAccessTokenStore', () => new RedisAccessTokenStore(testRedisClient())],
  [
    'LegacyKeysAccessTokenStore',
    () => new LegacyKeysAccessTokenStore(new RedisAccessTokenStore(testRedisClient())),
  ],
])('%s (AccessTokenStore contract)', (_name, create) => {
  let store: AccessTokenStore;
  let key: string;
  let lock: string;

  beforeEach(() => {
    store = create();
    const prefix = `unit:${randomUUID()}:`;
    key = `${prefix}{wx1}:access_token`;
    lock = `${prefix}{wx1}:access_token_lock`;
  });

  it('get: null when absent; value and remaining TTL when set; null after expiry', async () => {
    expect(await store.get(key)).toBeNull();
    expect(await store.set(key, 'T1', 5000)).toBe(true);
    const stored = await store.get(key);
    expect(stored?.value).toBe('T1');
    expect(stored?.ttlMs).toBeGreaterThan(4000);
    expect(stored?.ttlMs).toBeLessThanOrEqual(5000);
    await store.set(key, 'T2', 40);
    await sleep(80);
    expect(await store.get(key)).toBeNull();
  });

  it('a wall-clock step back does not extend a TTL', async () => {
    const realNow = Date.now.bind(Date);
    const clock = jest.spyOn(Date, 'now'); // still the real time: the store is created under it
    try {
      store = create();
      await store.set(key, 'T1', 60);
      await store.tryLock(lock, 'a', 60);
      clock.mockImplementation(() => realNow() - 3_600_000);
      await sleep(100);
      expect(await store.get(key)).toBeNull();
      expect(await store.tryLock(lock, 'b', 1000)).toEqual({ acquired: true });
    } finally {
      clock.mockRestore();
    }
  });

  it('set if-absent never replaces a value', async () => {
    expect(await store.set(key, 'T1', 5000, 'if-absent')).toBe(true);
    expect(await store.set(key, 'T2', 5000, 'if-absent')).toBe(false);
    expect((await store.get(key))?.value).toBe('T1');
    expect(await store.set(key, 'T3', 5000)).toBe(true);
    expect((await store.get(key))?.value).toBe('T3');
  });

  it('compareAndDelete deletes only the expected value; delete deletes anything', async () => {
    await store.set(key, 'T1', 5000);
    expect(await store.compareAndDelete(key, 'T0')).toBe(false);
    expect((await store.get(key))?.value).toBe('T1');
    expect(await store.compareAndDelete(key, 'T1')).toBe(true);
    expect(await store.get(key)).toBeNull();
    expect(await store.compareAndDelete(key, 'T1')).toBe(false);
    await store.set(key, 'T2', 5000);
    expect(await store.delete(key)).toBe(true);
    expect(await store.delete(key)).toBe(false);
  });

  it('tryLock / unlock: one owner at a time, released only by its owner', async () => {
    expect(await store.tryLock(lock, 'a', 1000)).toEqual({ acquired: true });
    const busy = await store.tryLock(lock, 'b', 1000);
    expect(busy.acquired).toBe(false);
    expect(!busy.acquired && busy.remainingMs).toBeGreaterThan(800);
    expect(!busy.acquired && busy.remainingMs).toBeLessThanOrEqual(1000);
    expect(await store.unlock(lock, 'b')).toBe(false);
    expect((await store.tryLock(lock, 'b', 1000)).acquired).toBe(false);
    expect(await store.unlock(lock, 'a')).toBe(true);
    expect(await store.tryLock(lock, 'b', 1000)).toEqual({ acquired: true });
  });

  it('a lock expires after its TTL unless its owner extends it', async () => {
    await store.tryLock(lock, 'a', 60);
    expect(await store.extendLock(lock, 'b', 1000)).toBe(false);
    expect(await store.extendLock(lock, 'a', 150)).toBe(true);
    await sleep(90);
    expect((await store.tryLock(lock, 'b', 1000)).acquired).toBe(false);
    await sleep(110);
    expect(await store.extendLock(lock, 'a', 1000)).toBe(false);
    expect(await store.tryLock(lock, 'b', 1000)).toEqual({ acquired: true });
  });

  it('setIfLockOwner: the owner replaces; after losing the lock only SET NX', async () => {
    await store.set(key, 'OLD', 5000);
    await store.tryLock(lock, 'a', 5000);
    expect(await store.setIfLockOwner(key, 'T1', 5000, lock, 'a')).toBe('written');
    expect((await store.get(key))?.value).toBe('T1');

    // Lock now held by b (a's expired): a's late token must not replace b's newer one.
    await store.unlock(lock, 'a');
    await store.tryLock(lock, 'b', 5000);
    await store.set(key, 'NEWER', 5000);
    expect(await store.setIfLockOwner(key, 'LATE', 5000, lock, 'a')).toBe('kept-existing');
    expect((await store.get(key))?.value).toBe('NEWER');

    // Nothing stored: the late token is better than none.
    await store.delete(key);
    expect(await store.setIfLockOwner(key, 'LATE', 5000, lock, 'a')).toBe('written-if-absent');
    expect((await store.get(key))?.value).toBe('LATE');
  });
});

describe('RedisAccessTokenStore when Redis is unavailable', () => {
  it('fails at once once the client has lost its connection', async () => {
    const redis = testRedisClient();
    // Long waits: a store that waited for a reconnect or a command timeout would take 5 s.
    const store = new RedisAccessTokenStore(redis, { storeWaitMs: 5000, commandTimeoutMs: 5000 });
    await store.get('unit:any');
    redis.disconnect();
    const started = Date.now();
    await expect(store.get('unit:any')).rejects.toBeInstanceOf(WechatTokenStoreError);
    await expect(store.tryLock('unit:lock', 'a', 100)).rejects.toThrow(/not available/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('bounds a command that never gets an answer by commandTimeoutMs', async () => {
    const sockets = new Set<Socket>();
    // Answers ioredis's connection set-up (CLIENT SETINFO) and nothing after that.
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (data: Buffer) => {
        const setups = data.toString().split('SETINFO').length - 1;
        if (setups > 0) socket.write('+OK\r\n'.repeat(setups));
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as { port: number };
    const redis = new Redis({ port, host: '127.0.0.1', enableReadyCheck: false });
    redis.on('error', () => undefined);
    try {
      await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
      const store = new RedisAccessTokenStore(redis, { commandTimeoutMs: 100 });
      const started = Date.now();
      await expect(store.get('unit:any')).rejects.toThrow(/did not answer within 100 ms/);
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      redis.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('re-loads its scripts after SCRIPT FLUSH (e.g. a Redis restart)', async () => {
    const redis = testRedisClient();
    const store = new RedisAccessTokenStore(redis);
    await store.set('unit:flush', 'T', 5000);
    expect((await store.get('unit:flush'))?.value).toBe('T');
    await redis.script('FLUSH');
    expect((await store.get('unit:flush'))?.value).toBe('T');
    expect(await store.compareAndDelete('unit:flush', 'T')).toBe(true);
  });
});
