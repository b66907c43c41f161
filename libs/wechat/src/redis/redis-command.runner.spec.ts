import Redis from 'ioredis';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import { startRedisServer, type RedisServerHandle } from '../../../../test/support/redis-server';
import { RedisCommandRunner } from './redis-command.runner';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ready = (redis: Redis): Promise<unknown> =>
  redis.status === 'ready' ? Promise.resolve() : new Promise((r) => redis.once('ready', r));

// The token store's runner on a node that answers READONLY for a while: what a client sees when
// it reaches a primary that Sentinel has just demoted, until the new primary takes over.
describe('RedisCommandRunner (real redis-servers)', () => {
  let primary: RedisServerHandle;
  let node: RedisServerHandle;
  const clients: Redis[] = [];
  const client = (url: string): Redis => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };

  beforeAll(async () => {
    primary = await startRedisServer();
    node = await startRedisServer();
  });
  afterAll(async () => {
    clients.forEach((redis) => redis.disconnect());
    await node.stop();
    await primary.stop();
  });

  /** Makes `node` a replica (writes answer READONLY) and promotes it again after `ms`. */
  async function readOnlyFor(ms: number): Promise<void> {
    const admin = client(node.url);
    await admin.call('REPLICAOF', '127.0.0.1', String(primary.port));
    setTimeout(() => void admin.call('REPLICAOF', 'NO', 'ONE'), ms);
  }

  it('retries a transient reply (READONLY) within storeWaitMs and succeeds once it passes', async () => {
    const redis = client(node.url);
    await ready(redis);
    await readOnlyFor(300);
    const runner = new RedisCommandRunner(redis, 1_000, 3_000);
    const startedAt = Date.now();
    await expect(runner.run(() => redis.set('k', 'after'))).resolves.toBe('OK');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(await redis.get('k')).toBe('after');
  });

  it('refuses it with a WechatTokenStoreError once storeWaitMs has passed', async () => {
    const redis = client(node.url);
    await ready(redis);
    await readOnlyFor(2_000);
    const runner = new RedisCommandRunner(redis, 1_000, 200);
    const startedAt = Date.now();
    const refused = runner.run(() => redis.set('k', 'v'));
    await expect(refused).rejects.toThrow(WechatTokenStoreError);
    await expect(refused).rejects.toThrow(/^Redis command failed: READONLY/);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await sleep(2_000);
  });

  it('with storeWaitMs 0 a transient reply fails at once', async () => {
    const redis = client(node.url);
    await ready(redis);
    await readOnlyFor(500);
    const runner = new RedisCommandRunner(redis, 1_000, 0);
    await expect(runner.run(() => redis.set('k', 'v'))).rejects.toThrow(
      /^Redis command failed: READONLY/,
    );
    await sleep(600);
  });

  it('does not retry an error that is not transient (WRONGTYPE)', async () => {
    const redis = client(node.url);
    await ready(redis);
    await redis.del('list');
    await redis.rpush('list', 'a');
    let attempts = 0;
    const runner = new RedisCommandRunner(redis, 1_000, 3_000);
    await expect(
      runner.run(() => {
        attempts += 1;
        return redis.get('list');
      }),
    ).rejects.toThrow(/^Redis command failed: WRONGTYPE/);
    expect(attempts).toBe(1);
  });
});
