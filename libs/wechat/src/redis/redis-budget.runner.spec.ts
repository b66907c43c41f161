import Redis, { Cluster } from 'ioredis';
import { WechatStoreCrossSlotError, WechatStoreKeyTypeError } from '../errors/wechat-store.error';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import { startRedisCluster, type RedisClusterHandle } from '../../../../test/support/redis-cluster';
import { startRedisServer, type RedisServerHandle } from '../../../../test/support/redis-server';
import { startTcpDelayProxy, type TcpDelayProxy } from '../../../../test/support/tcp-delay-proxy';
import { lua } from './lua-script';
import { RedisBudgetRunner, budgetClock } from './redis-budget.runner';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ready = (redis: Redis | Cluster): Promise<unknown> =>
  redis.status === 'ready' ? Promise.resolve() : new Promise((r) => redis.once('ready', r));

describe('RedisBudgetRunner (real redis-servers)', () => {
  const clients: (Redis | Cluster)[] = [];
  const client = (url: string): Redis => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };
  afterAll(() => clients.forEach((redis) => redis.disconnect()));

  describe('a slow Redis (300 ms each way through a TCP delay proxy)', () => {
    let server: RedisServerHandle;
    let proxy: TcpDelayProxy;
    beforeAll(async () => {
      server = await startRedisServer();
      proxy = await startTcpDelayProxy(server.port, 0);
    });
    afterAll(async () => {
      await proxy.close();
      await server.stop();
    });

    it('is waited for until the deadline, and refused as out of budget after it', async () => {
      const redis = client(proxy.url);
      await ready(redis);
      proxy.setDelay(300);
      const runner = new RedisBudgetRunner(redis, 100);
      await expect(runner.run(() => redis.set('k', 'v'), budgetClock() + 2_000)).resolves.toBe(
        'OK',
      );
      const late = runner.run(() => redis.get('k'), budgetClock() + 200);
      await expect(late).rejects.toThrow(WechatTokenStoreError);
      await expect(late).rejects.toThrow('Redis did not answer within the budget.');
      proxy.setDelay(0);
    });
  });

  describe('a Redis that restarts', () => {
    let server: RedisServerHandle;
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(() => server.stop());

    it('a command waits for the reconnection up to storeWaitMs, then is refused', async () => {
      const redis = client(server.url);
      await ready(redis);
      await server.stop();
      const runner = new RedisBudgetRunner(redis, 150);
      const refused = runner.run(() => redis.get('k'), budgetClock() + 2_000);
      await expect(refused).rejects.toThrow(WechatTokenStoreError);
      await expect(refused).rejects.toThrow(/waited up to storeWaitMs/);

      const patient = new RedisBudgetRunner(redis, 3_000);
      const riding = patient.run(() => redis.set('k', 'after'), budgetClock() + 4_000);
      await sleep(300);
      await server.start();
      await expect(riding).resolves.toBe('OK');
      expect(await redis.get('k')).toBe('after');
    });

    it('a closed client is refused at once', async () => {
      const redis = client(server.url);
      await ready(redis);
      redis.disconnect();
      await sleep(20);
      const runner = new RedisBudgetRunner(redis, 5_000);
      await expect(runner.run(() => redis.get('k'), budgetClock() + 5_000)).rejects.toThrow(
        'Redis is not available (the client was closed).',
      );
    });

    it('a lazy client without an offline queue is connected, then used', async () => {
      const redis = new Redis(server.url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      });
      redis.on('error', () => undefined);
      clients.push(redis);
      const runner = new RedisBudgetRunner(redis, 2_000);
      await expect(runner.run(() => redis.ping(), budgetClock() + 3_000)).resolves.toBe('PONG');
    });

    it('WRONGTYPE is a WechatStoreKeyTypeError, not an outage', async () => {
      const redis = client(server.url);
      await ready(redis);
      await redis.hset('h', 'f', 'v');
      const runner = new RedisBudgetRunner(redis, 100);
      await expect(runner.run(() => redis.get('h'), budgetClock() + 1_000)).rejects.toThrow(
        WechatStoreKeyTypeError,
      );
    });
  });

  describe('a Redis Cluster (3 masters)', () => {
    let cluster: RedisClusterHandle;
    beforeAll(async () => {
      cluster = await startRedisCluster(3);
    }, 60_000);
    afterAll(() => cluster?.stop());

    it('CROSSSLOT is a WechatStoreCrossSlotError, never retried as an outage; one slot runs', async () => {
      const redis = new Cluster([...cluster.startupNodes], {
        redisOptions: { maxRetriesPerRequest: 1 },
      });
      redis.on('error', () => undefined);
      clients.push(redis);
      await ready(redis);
      const runner = new RedisBudgetRunner(redis, 100);
      expect(runner.isCluster).toBe(true);
      const script = lua("return redis.call('SET', KEYS[1], '1') and #KEYS");
      const error = await runner
        .script(script, ['foo', 'bar'], [], budgetClock() + 2_000)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WechatStoreCrossSlotError);
      expect(error).toMatchObject({ code: 'WECHAT_STORE_CROSSSLOT' });
      await expect(
        runner.script(script, ['{t}a', '{t}b'], [], budgetClock() + 2_000),
      ).resolves.toBe(2);
    });
  });
});
