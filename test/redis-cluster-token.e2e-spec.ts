// The fleet-wide access_token on a real 3-master Redis Cluster: the multi-process token tests of
// access-token.e2e-spec.ts, with every process on an ioredis Cluster client.
import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { Cluster } from 'ioredis';
import { AccessTokenService, WechatModule } from '@app/wechat';
import { startWechatApiServer, type WechatApiServer } from '@app/wechat/testing';
import { startRedisCluster, type RedisClusterHandle } from './support/redis-cluster';
import type { TokenTestOptions } from './support/token-options';
import { startTokenWorkers, type TokenWorker } from './support/token-workers';

const TOKEN = '/cgi-bin/token';
const STORE_DOWN_WARNING = 'The shared access_token store is unavailable';

let cluster: RedisClusterHandle;
let clusterUrl: string;
let server: WechatApiServer;
let workers: TokenWorker[];
let client: Cluster;

beforeAll(async () => {
  [cluster, server, workers] = await Promise.all([
    startRedisCluster(3),
    startWechatApiServer(),
    startTokenWorkers(4),
  ]);
  clusterUrl = `cluster://${cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  client = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } });
  client.on('error', () => undefined);
  await new Promise<void>((resolve) => client.once('ready', () => resolve()));
}, 60_000);

beforeEach(() => server.reset());

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await client.quit().catch(() => client.disconnect());
  await Promise.all([server.close(), cluster.stop()]);
});

function options(overrides: Partial<TokenTestOptions> = {}): TokenTestOptions {
  return {
    appId: server.appId,
    appSecret: server.appSecret,
    apiBaseUrl: server.url,
    keyPrefix: `test:${randomUUID()}:`,
    ...overrides,
  };
}

/** Worker logs must show the store worked: no CROSSSLOT, no fallback to in-process copies. */
function expectStoreHealthy(): void {
  const logs = workers.map((worker) => worker.output()).join('\n');
  expect(logs).not.toContain('CROSSSLOT');
  expect(logs).not.toContain(STORE_DOWN_WARNING);
}

it.each(['token', 'stable_token'] as const)(
  '%s mode: 4 processes × 50 concurrent cold calls → exactly 1 upstream call, 1 token',
  async (tokenMode) => {
    const shared = options({ tokenMode });
    await Promise.all(workers.map((worker) => worker.setup(shared, clusterUrl)));
    const results = await Promise.all(workers.map((worker) => worker.run('token', 50)));
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(new Set(results.flatMap((r) => r.values))).toEqual(new Set(server.issuedTokens));
    expect(server.issuedTokens).toHaveLength(1);
    expect(server.calls(tokenMode === 'token' ? TOKEN : '/cgi-bin/stable_token')).toBe(1);
    // Stored under the account's hash tag, with the lock in the same slot.
    const key = `${shared.keyPrefix}{${server.appId}}:access_token`;
    expect(await client.get(key)).toBe(server.issuedTokens[0]);
    const [tokenSlot, lockSlot] = await Promise.all([
      client.cluster('KEYSLOT', key),
      client.cluster('KEYSLOT', `${shared.keyPrefix}{${server.appId}}:access_token_lock`),
    ]);
    expect(lockSlot).toBe(tokenSlot);
    expectStoreHealthy();
  },
);

it('every process sees 40001 at once → exactly 1 refresh, every send succeeds after one retry', async () => {
  const shared = options();
  await Promise.all(workers.map((worker) => worker.setup(shared, clusterUrl)));
  await Promise.all(workers.map((worker) => worker.run('token', 5)));
  expect(server.calls(TOKEN)).toBe(1);
  server.invalidateAllTokens();
  const results = await Promise.all(workers.map((worker) => worker.run('send', 20)));
  expect(results.flatMap((r) => r.errors)).toEqual([]);
  expect(new Set(results.flatMap((r) => r.values)).size).toBe(80);
  expect(server.calls(TOKEN)).toBe(2);
  expectStoreHealthy();
});

it('alternating calls between two processes share one token: 20 calls, 1 upstream token call', async () => {
  const shared = options();
  const [a, b] = workers;
  await Promise.all([a.setup(shared, clusterUrl), b.setup(shared, clusterUrl)]);
  for (let i = 0; i < 10; i += 1) {
    expect((await a.run('send', 1)).errors).toEqual([]);
    expect((await b.run('send', 1)).errors).toEqual([]);
  }
  expect(server.calls(TOKEN)).toBe(1);
  expectStoreHealthy();
});

it('the lock holder is SIGKILLed mid-fetch → the others get one token within lockTtlMs + a poll', async () => {
  const lockTtlMs = 1500;
  const shared = options({ lockTtlMs, lockPollIntervalMs: 50 });
  await Promise.all(workers.map((worker) => worker.setup(shared, clusterUrl)));
  const [holder, ...others] = workers;
  server.injectDelay(TOKEN, 20_000);
  void holder.run('token', 50).catch(() => undefined);
  await server.waitForCalls(TOKEN, 1);
  const waiting = Promise.all(others.map((worker) => worker.run('token', 50)));
  await new Promise((resolve) => setTimeout(resolve, 200));
  await holder.kill('SIGKILL');
  const results = await waiting;
  expect(results.flatMap((r) => r.errors)).toEqual([]);
  expect(new Set(results.flatMap((r) => r.values)).size).toBe(1);
  expect(server.calls(TOKEN)).toBe(2); // the killed holder's and one more
  // A fresh worker replaces the killed one for later tests.
  workers[0] = (await startTokenWorkers(1))[0];
});

it('WechatModule with a Cluster client: starts (key slots checked), shares the token under the hash tag', async () => {
  const keyPrefix = `test:${randomUUID()}:`;
  const moduleRef = await Test.createTestingModule({
    imports: [
      WechatModule.forRoot({
        appId: server.appId,
        appSecret: server.appSecret,
        apiBaseUrl: server.url,
        path: false,
        redis: client,
        keyPrefix,
      }),
    ],
  }).compile();
  try {
    const token = await moduleRef.get(AccessTokenService).getAccessToken();
    expect(await client.get(`${keyPrefix}{${server.appId}}:access_token`)).toBe(token);
    // legacyKeys (default on): mirrored under the old name for 0.1 instances, single-key on a Cluster.
    expect(await client.get(`${keyPrefix}access_token:${server.appId}`)).toBe(token);
    expect(server.calls(TOKEN)).toBe(1);
  } finally {
    await moduleRef.close();
  }
});
