// The fleet-wide access_token across a Sentinel failover: a process that needs the token while the
// primary is gone waits for the new primary (storeWaitMs) and reads the token there, instead of
// asking WeChat for another one.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { startWechatApiServer, type WechatApiServer } from '@app/wechat/testing';
import { startRedisSentinel, type RedisSentinelHandle } from './support/redis-sentinel';
import type { TokenTestOptions } from './support/token-options';
import { startTokenWorkers, type TokenWorker } from './support/token-workers';

const TOKEN = '/cgi-bin/token';

describe('access_token on a Sentinel-managed Redis', () => {
  let api: WechatApiServer;

  beforeAll(async () => {
    api = await startWechatApiServer();
  });
  afterAll(() => api.close());

  /**
   * A primary + replica + sentinel; process A fetches the token, the primary is killed, process B
   * (cold) asks for the token during the failover. Returns the upstream token calls.
   */
  async function failoverRound(storeWaitMs: number): Promise<{ calls: number; values: string[] }> {
    const sentinel: RedisSentinelHandle = await startRedisSentinel(
      `tok${randomUUID().slice(0, 8)}`,
    );
    const workers: TokenWorker[] = await startTokenWorkers(2);
    try {
      api.reset();
      const url = `sentinel://${sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}/${sentinel.name}`;
      const options: TokenTestOptions = {
        appId: api.appId,
        appSecret: api.appSecret,
        apiBaseUrl: api.url,
        keyPrefix: `test:${randomUUID()}:`,
        storeWaitMs,
      };
      const [a, b] = workers;
      await Promise.all([a.setup(options, url), b.setup(options, url)]);
      const [token] = (await a.run('token', 1)).values;
      // The token has reached the replica before the primary goes.
      const primary = new Redis(sentinel.primary.url);
      let replicated = 0;
      for (let i = 0; i < 10 && replicated < 1; i += 1) {
        replicated = Number(await primary.call('WAIT', '1', '1000'));
      }
      primary.disconnect();
      expect(replicated).toBe(1);
      await sentinel.primary.stop();
      const result = await b.run('token', 20);
      expect(result.errors).toEqual([]);
      expect(result.values.every((value) => value === result.values[0])).toBe(true);
      return { calls: api.calls(TOKEN), values: [token, ...result.values] };
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await sentinel.stop();
    }
  }

  it('primary killed: a cold process waits out the failover and reuses the token (0 extra upstream calls)', async () => {
    const { calls, values } = await failoverRound(20_000);
    expect(calls).toBe(1);
    expect(new Set(values).size).toBe(1);
  }, 90_000);

  it('with storeWaitMs 0 the same process does not wait and asks WeChat again (what the wait saves)', async () => {
    const { calls } = await failoverRound(0);
    expect(calls).toBe(2);
  }, 60_000);
});
