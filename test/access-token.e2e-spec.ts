import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import {
  AccessTokenService,
  MemoryAccessTokenStore,
  RedisAccessTokenStore,
  WechatApiError,
  WechatClientService,
  WechatHttpClient,
  type AccessTokenStore,
} from '@app/wechat';
import { startRedisServer, type RedisServerHandle } from './support/redis-server';
import { captureOutput } from './support/token-log-capture';
import { tokenTestOptions, type TokenTestOptions } from './support/token-options';
import { startTokenWorkers, type TokenWorker } from './support/token-workers';
import { startWechatApiServer, type WechatApiServer } from '@app/wechat/testing';

const REDIS_URL = process.env.WECHAT_TEST_REDIS_URL as string;

/** The token's Redis key, as the README's key schema documents it. */
const accessTokenKey = (keyPrefix: string, appId: string) => `${keyPrefix}{${appId}}:access_token`;
/** The refresh lock's Redis key, as the README's key schema documents it. */
const accessTokenLockKey = (keyPrefix: string, appId: string) =>
  `${keyPrefix}{${appId}}:access_token_lock`;
const TOKEN = '/cgi-bin/token';
const STABLE = '/cgi-bin/stable_token';
const TEMPLATE = '/cgi-bin/message/template/send';
const STORE_DOWN_WARNING = 'The shared access_token store is unavailable';

const output = captureOutput();
const workerOutputs: string[] = [];
const servers: WechatApiServer[] = [];
const redisClients: Redis[] = [];
const thrown: unknown[] = [];
const allTokens = new Set<string>();

function newRedis(url = REDIS_URL): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  redisClients.push(redis);
  return redis;
}

interface Instance {
  tokens: AccessTokenService;
  client: WechatClientService;
  http: WechatHttpClient;
  redis?: Redis;
}

/** One "instance" of the app: its own services (and Redis connection unless a store is given). */
function instance(
  server: WechatApiServer,
  overrides: Partial<TokenTestOptions> = {},
  store?: AccessTokenStore,
): Instance {
  const options = tokenTestOptions({
    appId: server.appId,
    appSecret: server.appSecret,
    apiBaseUrl: server.url,
    retryBackoffMs: 10,
    ...overrides,
  });
  const redis = store ? undefined : newRedis();
  const http = new WechatHttpClient(options);
  const tokens = new AccessTokenService(
    options,
    store ?? new RedisAccessTokenStore(redis as Redis),
    http,
  );
  return { tokens, http, redis, client: new WechatClientService(tokens, http, options) };
}

function prefix(): string {
  return `test:${randomUUID()}:`;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    thrown.push(error);
    return error;
  }
  throw new Error('expected a rejection');
}

function template(index: number) {
  return {
    touser: 'oTokenTestUser01',
    template_id: 'TPL_token_test',
    data: { keyword1: { value: `订单 ${index}` } },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: WechatApiServer;

beforeAll(async () => {
  server = await startWechatApiServer();
  servers.push(server);
});

beforeEach(() => server.reset());
afterEach(() => {
  for (const s of servers) for (const token of s.issuedTokens) allTokens.add(token);
});

afterAll(async () => {
  await closeRedisClients(redisClients);
  await Promise.all(servers.map((s) => s.close()));
  output.restore();
});

describe('AccessTokenService in one process (token mode)', () => {
  it('200 concurrent cold calls make exactly 1 upstream call and all get the same token', async () => {
    const { tokens } = instance(server, { keyPrefix: prefix() });
    const results = await Promise.all(Array.from({ length: 200 }, () => tokens.getAccessToken()));
    expect(server.calls(TOKEN)).toBe(1);
    expect(server.issuedTokens).toHaveLength(1);
    expect(new Set(results)).toEqual(new Set(server.issuedTokens));
    expect(server.lastQuery(TOKEN)).toEqual({
      grant_type: 'client_credential',
      appid: server.appId,
      secret: server.appSecret,
    });
  });

  it('stores the token in Redis with TTL = expires_in − margin under <prefix>{<appId>}:access_token', async () => {
    const keyPrefix = prefix();
    const { tokens } = instance(server, { keyPrefix });
    const token = await tokens.getAccessToken();
    const redis = newRedis();
    const key = `${keyPrefix}{${server.appId}}:access_token`;
    expect(accessTokenKey(keyPrefix, server.appId)).toBe(key);
    expect(await redis.get(key)).toBe(token);
    const pttl = await redis.pttl(key);
    expect(pttl).toBeLessThanOrEqual((7200 - 300) * 1000);
    expect(pttl).toBeGreaterThan((7200 - 300) * 1000 - 2000);
    // The lock was released by its holder.
    expect(await redis.exists(accessTokenLockKey(keyPrefix, server.appId))).toBe(0);
  });

  it('serves the cached token from memory: same settled promise, ≥ 1 000 000 calls/s, no Redis', async () => {
    const store = countingStore(new RedisAccessTokenStore(newRedis()));
    const { tokens } = instance(server, { keyPrefix: prefix() }, store);
    const token = await tokens.getAccessToken();
    const storeCallsBefore = store.count;
    const first = tokens.getAccessToken();
    expect(tokens.getAccessToken()).toBe(first);
    const started = process.hrtime.bigint();
    let last: Promise<string> = first;
    for (let i = 0; i < 1_000_000; i++) last = tokens.getAccessToken();
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(elapsedMs).toBeLessThan(1000);
    expect(last).toBe(first);
    await expect(last).resolves.toBe(token);
    expect(store.count).toBe(storeCallsBefore);
    expect(server.calls(TOKEN)).toBe(1);
  });

  it('a second instance reads the shared token (with its remaining lifetime) without an upstream call', async () => {
    const keyPrefix = prefix();
    const a = instance(server, { keyPrefix });
    const b = instance(server, { keyPrefix });
    const token = await a.tokens.getAccessToken();
    expect(await b.tokens.getAccessToken()).toBe(token);
    expect(server.calls(TOKEN)).toBe(1);
  });

  it('never serves a token past expires_in − margin (4 s − min(300 s, 4 s / 2) = 2 s), then refreshes once', async () => {
    const shortServer = await startWechatApiServer({ expiresIn: 4 });
    servers.push(shortServer);
    const keyPrefix = prefix();
    const a = instance(shortServer, { keyPrefix });
    const b = instance(shortServer, { keyPrefix });
    const first = await a.tokens.getAccessToken();
    const issued = shortServer.tokenInfo(first);
    expect(issued).toBeDefined();
    const pttl = await newRedis().pttl(accessTokenKey(keyPrefix, shortServer.appId));
    expect(pttl).toBeGreaterThan(1000);
    expect(pttl).toBeLessThanOrEqual(2000);
    await sleep(500);
    expect(await b.tokens.getAccessToken()).toBe(first); // from Redis, 1.5 s left
    expect(shortServer.calls(TOKEN)).toBe(1);

    const seen = new Set<string>();
    const deadline = Date.now() + 2500;
    while (Date.now() < deadline) {
      for (const { tokens } of [a, b]) {
        const token = await tokens.getAccessToken();
        const usedAt = Date.now();
        const info = shortServer.tokenInfo(token);
        // Served only within (issue time + 2 s) plus the time the answer took to arrive.
        expect(usedAt).toBeLessThan((info?.issuedAt ?? 0) + 2000 + 100);
        seen.add(token);
      }
      await sleep(5);
    }
    expect(seen.size).toBe(2);
    expect(shortServer.calls(TOKEN)).toBe(2);
  });

  it.each(['Redis', 'in-memory'] as const)(
    'a wall-clock step back of one hour does not extend a token (%s store): refreshed on time',
    async (storeKind) => {
      const shortServer = await startWechatApiServer({ expiresIn: 4 }); // served for 2 s
      servers.push(shortServer);
      const store = storeKind === 'in-memory' ? new MemoryAccessTokenStore() : undefined;
      const { tokens } = instance(shortServer, { keyPrefix: prefix() }, store);
      const first = await tokens.getAccessToken();
      const realNow = Date.now.bind(Date);
      const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
      try {
        expect(await tokens.getAccessToken()).toBe(first);
        await sleep(2300);
        const second = await tokens.getAccessToken();
        expect(second).not.toBe(first);
        expect(shortServer.calls(TOKEN)).toBe(2);
      } finally {
        clock.mockRestore();
      }
    },
  );

  it.each([
    [300, 150_000],
    [301, 150_500],
    [450, 225_000],
    [601, 301_000],
    [7200, 6_900_000],
  ])(
    'expires_in %i s with the default 300 s margin → stored (and served) for %i ms: no cliff at 300 s',
    async (expiresIn, servedMs) => {
      const lifetimeServer = await startWechatApiServer({ expiresIn });
      servers.push(lifetimeServer);
      const keyPrefix = prefix();
      const { tokens } = instance(lifetimeServer, { keyPrefix });
      await tokens.getAccessToken();
      const pttl = await newRedis().pttl(accessTokenKey(keyPrefix, lifetimeServer.appId));
      expect(pttl).toBeLessThanOrEqual(servedMs);
      expect(pttl).toBeGreaterThan(servedMs - 2000);
    },
  );

  it.each([
    [40164, 'invalid ip 203.0.113.9 ipv6 ::ffff:203.0.113.9, not in whitelist', 'whitelist'],
    [89503, 'risky ip, need admin confirm', 'admin'],
    [45009, 'reach max api daily quota limit', 'quota'],
  ])(
    'token endpoint errcode %i → WechatApiError at once for all 50 callers, exactly 1 call',
    async (errcode, errmsg, hint) => {
      server.injectError(TOKEN, { errcode, errmsg });
      const tokenRefusalTtlMs = 300;
      const { tokens } = instance(server, { keyPrefix: prefix(), tokenRefusalTtlMs });
      const errors = await Promise.all(
        Array.from({ length: 50 }, () => rejection(tokens.getAccessToken())),
      );
      expect(server.calls(TOKEN)).toBe(1);
      for (const error of errors) {
        expect(error).toBeInstanceOf(WechatApiError);
        expect(error).toMatchObject({ code: 'WECHAT_API', errcode, path: TOKEN });
        expect((error as WechatApiError).errmsg).toContain(errmsg);
        expect((error as Error).message).toContain(hint);
        expect((error as Error).message).not.toContain(server.appSecret);
      }
      // Within tokenRefusalTtlMs: the same typed error from the shared store, WeChat not asked.
      const shared = await rejection(tokens.getAccessToken());
      expect(shared).toBeInstanceOf(WechatApiError);
      expect(shared).toMatchObject({
        code: 'WECHAT_API',
        errcode,
        path: TOKEN,
        errmsg: (errors[0] as WechatApiError).errmsg,
        message: (errors[0] as Error).message,
      });
      expect(server.calls(TOKEN)).toBe(1);
      // Not cached beyond it: the next call asks again (and now succeeds).
      await sleep(tokenRefusalTtlMs + 100);
      const token = await tokens.getAccessToken();
      expect(server.issuedTokens).toEqual([token]);
      expect(server.calls(TOKEN)).toBe(2);
    },
  );

  it('a wrong AppSecret → 40125 and a wrong AppID → 40013, with hints, no secret in the message', async () => {
    const keyPrefix = prefix();
    const badSecret = instance(server, { keyPrefix, appSecret: 'wrongSecretValue123456' });
    const secretError = await rejection(badSecret.tokens.getAccessToken());
    expect(secretError).toMatchObject({ errcode: 40125, path: TOKEN });
    expect((secretError as Error).message).toContain('AppSecret');
    expect((secretError as Error).message).not.toContain('wrongSecretValue123456');
    const badAppId = instance(server, { keyPrefix, appId: 'wxffffffffffffffff' });
    const appIdError = await rejection(badAppId.tokens.getAccessToken());
    expect(appIdError).toMatchObject({ errcode: 40013, path: TOKEN });
    expect((appIdError as Error).message).toContain('AppID');
    expect(server.calls(TOKEN)).toBe(2);
  });

  it('clearAccessToken(token) deletes the shared copy only while it still holds that token', async () => {
    const keyPrefix = prefix();
    const a = instance(server, { keyPrefix });
    const b = instance(server, { keyPrefix });
    const redis = newRedis();
    const key = accessTokenKey(keyPrefix, server.appId);
    const first = await a.tokens.getAccessToken();
    expect(await b.tokens.getAccessToken()).toBe(first);

    await a.tokens.clearAccessToken(first);
    expect(await redis.get(key)).toBeNull();
    const second = await a.tokens.getAccessToken();
    expect(second).not.toBe(first);
    expect(server.calls(TOKEN)).toBe(2);

    // B still holds the old token locally; its clear must not delete the newer shared token.
    await b.tokens.clearAccessToken(first);
    expect(await redis.get(key)).toBe(second);
    expect(await b.tokens.getAccessToken()).toBe(second);
    // Clearing an unrelated token changes nothing locally either.
    await a.tokens.clearAccessToken('not-the-current-token');
    expect(a.tokens.getAccessToken()).toBe(a.tokens.getAccessToken());
    expect(await redis.get(key)).toBe(second);
    expect(server.calls(TOKEN)).toBe(2);

    // Without a token: both copies go, the next call refreshes.
    await a.tokens.clearAccessToken();
    expect(await redis.get(key)).toBeNull();
    expect(await a.tokens.getAccessToken()).not.toBe(second);
    expect(server.calls(TOKEN)).toBe(3);
  });

  it('5 instances × 20 template sends after every token was rejected: 1 refresh, every send succeeds after one retry', async () => {
    const keyPrefix = prefix();
    const fleet = Array.from({ length: 5 }, () => instance(server, { keyPrefix }));
    const tokens = await Promise.all(fleet.map(({ tokens: t }) => t.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(server.calls(TOKEN)).toBe(1);
    server.invalidateAllTokens();

    const results = await Promise.all(
      fleet.flatMap(({ client }, n) =>
        Array.from({ length: 20 }, (_, i) => client.sendTemplateMessage(template(n * 20 + i))),
      ),
    );
    expect(server.calls(TOKEN)).toBe(2);
    expect(server.calls(TEMPLATE)).toBe(200);
    expect(new Set(results.map((r) => r.msgId)).size).toBe(100);
    const fresh = server.issuedTokens[1];
    expect(await Promise.all(fleet.map(({ tokens: t }) => t.getAccessToken()))).toEqual(
      Array(5).fill(fresh),
    );
  });

  it('the lock holder extends its lock while WeChat is slow: a waiter never fetches a second token', async () => {
    const keyPrefix = prefix();
    const lockTtlMs = 400;
    const a = instance(server, { keyPrefix, lockTtlMs, lockPollIntervalMs: 20 });
    const b = instance(server, { keyPrefix, lockTtlMs, lockPollIntervalMs: 20 });
    server.injectDelay(TOKEN, 1200); // 3 × lockTtlMs
    const first = a.tokens.getAccessToken();
    await server.waitForCalls(TOKEN, 1);
    const second = b.tokens.getAccessToken();
    const [ta, tb] = await Promise.all([first, second]);
    expect(ta).toBe(tb);
    expect(server.calls(TOKEN)).toBe(1);
  });

  it('a fetch that finishes after its lock expired does not overwrite the newer token', async () => {
    const keyPrefix = prefix();
    const redis = newRedis();
    const a = instance(server, { keyPrefix });
    const b = instance(server, { keyPrefix });
    server.injectDelay(TOKEN, 600);
    const slow = a.tokens.getAccessToken();
    await server.waitForCalls(TOKEN, 1);
    // A's lock "expires" (as if A stalled longer than lockTtlMs); B becomes the holder.
    await redis.del(accessTokenLockKey(keyPrefix, server.appId));
    const newer = await b.tokens.getAccessToken();
    expect(server.calls(TOKEN)).toBe(2);
    const fromSlow = await slow;
    expect(await redis.get(accessTokenKey(keyPrefix, server.appId))).toBe(newer);
    expect(fromSlow).toBe(newer);
    expect(server.issuedTokens).toHaveLength(2);
  });

  it('works with the in-memory store in a single instance', async () => {
    const a = instance(server, {}, new MemoryAccessTokenStore());
    const results = await Promise.all(Array.from({ length: 100 }, () => a.tokens.getAccessToken()));
    expect(new Set(results).size).toBe(1);
    expect(server.calls(TOKEN)).toBe(1);
    server.invalidateAllTokens();
    await expect(a.client.sendTemplateMessage(template(1))).resolves.toEqual({
      msgId: '9007199254740993',
    });
    expect(server.calls(TOKEN)).toBe(2);
    expect(server.calls(TEMPLATE)).toBe(2);
  });
});

describe('AccessTokenService in stable_token mode', () => {
  it('200 concurrent cold calls → exactly 1 stable_token call with force_refresh false', async () => {
    const { tokens } = instance(server, { keyPrefix: prefix(), tokenMode: 'stable_token' });
    const results = await Promise.all(Array.from({ length: 200 }, () => tokens.getAccessToken()));
    expect(server.calls(STABLE)).toBe(1);
    expect(server.calls(TOKEN)).toBe(0);
    expect(new Set(results)).toEqual(new Set(server.issuedTokens));
    expect(server.lastBody(STABLE)).toEqual({
      grant_type: 'client_credential',
      appid: server.appId,
      secret: server.appSecret,
      force_refresh: false,
    });
  });

  it('a rejected token that WeChat already rotated is replaced without force_refresh', async () => {
    const keyPrefix = prefix();
    const fleet = Array.from({ length: 3 }, () =>
      instance(server, { keyPrefix, tokenMode: 'stable_token' }),
    );
    await Promise.all(fleet.map(({ tokens }) => tokens.getAccessToken()));
    server.invalidateAllTokens();
    await Promise.all(
      fleet.flatMap(({ client }) =>
        Array.from({ length: 10 }, (_, i) => client.sendTemplateMessage(template(i))),
      ),
    );
    expect(
      server.bodies(STABLE).map((body) => (body as { force_refresh: boolean }).force_refresh),
    ).toEqual([false, false]);
    expect(server.calls(TEMPLATE)).toBe(60);
  });

  it('force_refresh only after a confirmed rejection, once, and not again within 30 s', async () => {
    const keyPrefix = prefix();
    const fleet = Array.from({ length: 3 }, () =>
      instance(server, { keyPrefix, tokenMode: 'stable_token' }),
    );
    const [stuck] = await Promise.all(fleet.map(({ tokens }) => tokens.getAccessToken()));
    // WeChat rejects the token but keeps handing it out on normal calls.
    server.invalidateAllTokens({ keepStableToken: true });
    const results = await Promise.all(
      fleet.flatMap(({ client }) =>
        Array.from({ length: 10 }, (_, i) => client.sendTemplateMessage(template(i))),
      ),
    );
    expect(results).toHaveLength(30);
    const flags = () =>
      server.bodies(STABLE).map((body) => (body as { force_refresh: boolean }).force_refresh);
    // Cold fetch, the normal call that returned the rejected token again, then one force.
    expect(flags()).toEqual([false, false, true]);
    const fresh = server.issuedTokens.at(-1) as string;
    expect(fresh).not.toBe(stuck);
    expect(server.calls(TEMPLATE)).toBe(60);

    // Again within 30 s: the holder does not force a second time; the error surfaces.
    server.invalidateAllTokens({ keepStableToken: true });
    const error = await rejection(fleet[0].client.sendTemplateMessage(template(99)));
    expect(error).toMatchObject({ errcode: 40001, path: TEMPLATE });
    expect(flags()).toEqual([false, false, true, false]);
    expect(server.calls(TEMPLATE)).toBe(62);
  });
});

describe('Redis unreachable at run time', () => {
  let redisServer: RedisServerHandle;
  const outageClients: Redis[] = [];

  beforeAll(async () => {
    redisServer = await startRedisServer();
  });
  afterAll(async () => {
    // Close this server's clients while it still runs, so no client is left reconnecting.
    await closeRedisClients(outageClients);
    await redisServer.stop();
  });

  it('keeps serving and refreshing without Redis, logs once, and shares the token again after restart', async () => {
    // WeChat's real 5-minute overlap, so the cold instance below does not invalidate `second`.
    const server = await startWechatApiServer({ tokenOverlapMs: 300_000 });
    servers.push(server);
    const keyPrefix = prefix();
    // The host's client with ioredis defaults (offline queue on, 20 retries per request).
    const hostRedis = new Redis(redisServer.url);
    hostRedis.on('error', () => undefined);
    outageClients.push(hostRedis);
    const options = tokenTestOptions({
      appId: server.appId,
      appSecret: server.appSecret,
      apiBaseUrl: server.url,
      keyPrefix,
    });
    const http = new WechatHttpClient(options);
    // A short failover wait: this is an outage, not a failover (storeWaitMs has its own suite).
    const tokens = new AccessTokenService(
      options,
      new RedisAccessTokenStore(hostRedis, { storeWaitMs: 200 }),
      http,
    );
    const client = new WechatClientService(tokens, http, options);
    const first = await tokens.getAccessToken();
    const warningsBefore = countOf(output.text(), STORE_DOWN_WARNING);

    await redisServer.stop();
    await waitUntil(() => hostRedis.status !== 'ready');
    // Cached copy: served at once, without waiting out storeWaitMs (200 ms) for the store.
    let started = Date.now();
    expect(await tokens.getAccessToken()).toBe(first);
    expect(Date.now() - started).toBeLessThan(150);

    // Every token rejected: the client refreshes directly from WeChat, without hanging.
    server.invalidateAllTokens();
    started = Date.now();
    const sends = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.sendTemplateMessage(template(i))),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sends).toHaveLength(20);
    expect(server.calls(TOKEN)).toBe(2);
    const second = server.issuedTokens[1];
    expect(await tokens.getAccessToken()).toBe(second);

    // A cold instance while Redis is down: direct fetch, bounded time.
    const coldRedis = new Redis(redisServer.url, { lazyConnect: true });
    coldRedis.on('error', () => undefined);
    outageClients.push(coldRedis);
    await coldRedis.connect().catch(() => undefined);
    const cold = new AccessTokenService(
      options,
      new RedisAccessTokenStore(coldRedis, { storeWaitMs: 200 }),
      new WechatHttpClient(options),
    );
    started = Date.now();
    await expect(cold.getAccessToken()).resolves.toEqual(expect.any(String));
    expect(Date.now() - started).toBeLessThan(2000);

    // Logged once per instance for the whole outage, never with a token.
    expect(countOf(output.text(), STORE_DOWN_WARNING) - warningsBefore).toBe(2);

    await redisServer.start();
    await waitUntil(() => hostRedis.status === 'ready', 10_000);
    // The next cache hits publish this process's token into the (empty) restarted Redis.
    const check = new Redis(redisServer.url);
    outageClients.push(check);
    const key = accessTokenKey(keyPrefix, server.appId);
    await waitUntil(async () => {
      await tokens.getAccessToken();
      return (await check.get(key)) === second;
    }, 5000);
    const callsBefore = server.calls(TOKEN);
    const fresh = instance(server, { keyPrefix }, new RedisAccessTokenStore(check));
    expect(await fresh.tokens.getAccessToken()).toBe(second);
    expect(server.calls(TOKEN)).toBe(callsBefore);
    expect(output.text()).toContain('The shared access_token store is reachable again.');
  });
});

describe('several OS processes (token-worker.ts)', () => {
  let workers: TokenWorker[];

  // Forking ts-node processes takes seconds each on a busy 2-core machine.
  beforeAll(async () => {
    workers = await startTokenWorkers(4);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workerOutputs.push(...workers.map((worker) => worker.output()));
  });

  it.each(['token', 'stable_token'] as const)(
    '%s mode: 4 processes × 50 concurrent cold calls → exactly 1 upstream call, 1 token',
    async (tokenMode) => {
      const options: TokenTestOptions = {
        appId: server.appId,
        appSecret: server.appSecret,
        apiBaseUrl: server.url,
        keyPrefix: prefix(),
        tokenMode,
      };
      await Promise.all(workers.map((worker) => worker.setup(options, REDIS_URL)));
      // "Go": all four start together.
      const results = await Promise.all(workers.map((worker) => worker.run('token', 50)));
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      const tokens = results.flatMap((r) => r.values);
      expect(tokens).toHaveLength(200);
      expect(new Set(tokens)).toEqual(new Set(server.issuedTokens));
      expect(server.issuedTokens).toHaveLength(1);
      expect(server.calls(tokenMode === 'token' ? TOKEN : STABLE)).toBe(1);
      expect(new Set(results.map((r) => r.pid)).size).toBe(4);
    },
  );

  it('every process sees 40001 at once → exactly 1 new upstream call, every send succeeds after one retry', async () => {
    const options: TokenTestOptions = {
      appId: server.appId,
      appSecret: server.appSecret,
      apiBaseUrl: server.url,
      keyPrefix: prefix(),
    };
    await Promise.all(workers.map((worker) => worker.setup(options, REDIS_URL)));
    await Promise.all(workers.map((worker) => worker.run('token', 5)));
    expect(server.calls(TOKEN)).toBe(1);
    server.invalidateAllTokens();
    const results = await Promise.all(workers.map((worker) => worker.run('send', 20)));
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(new Set(results.flatMap((r) => r.values)).size).toBe(80);
    expect(server.calls(TOKEN)).toBe(2);
    expect(server.calls(TEMPLATE)).toBe(160);
  });

  it('a WeChat refusal (40164) reaches every process at once, shared for tokenRefusalTtlMs: 1 upstream call per period', async () => {
    const tokenRefusalTtlMs = 2000;
    const options: TokenTestOptions = {
      appId: server.appId,
      appSecret: server.appSecret,
      apiBaseUrl: server.url,
      keyPrefix: prefix(),
      lockTtlMs: 5000,
      lockPollIntervalMs: 50,
      tokenRefusalTtlMs,
    };
    await Promise.all(workers.map((worker) => worker.setup(options, REDIS_URL)));
    server.injectDelay(TOKEN, 300); // every process is waiting for the holder when it fails
    server.injectError(TOKEN, {
      errcode: 40164,
      errmsg: 'invalid ip 203.0.113.9 ipv6 ::ffff:203.0.113.9, not in whitelist',
      times: 100,
    });
    const refused = { name: 'WechatApiError', code: 'WECHAT_API', errcode: 40164, path: TOKEN };
    const started = Date.now();
    const first = await Promise.all(workers.map((worker) => worker.run('token', 10)));
    expect(first.flatMap((r) => r.failures)).toEqual(Array(40).fill(refused));
    expect(first.flatMap((r) => r.errors)[0]).toContain('not in whitelist');
    expect(server.calls(TOKEN)).toBe(1);
    // Not after the lock's TTL (5 s), and not one failing call after the other.
    expect(Math.max(...first.map((r) => r.finishedAt)) - started).toBeLessThan(2500);

    // Within the period: every process fails at once, without asking WeChat.
    const again = await Promise.all(workers.map((worker) => worker.run('token', 5)));
    expect(again.flatMap((r) => r.failures)).toEqual(Array(20).fill(refused));
    expect(server.calls(TOKEN)).toBe(1);

    // After it: one more upstream call for the whole fleet, shared again.
    await sleep(Math.max(0, started + 300 + tokenRefusalTtlMs + 400 - Date.now()));
    const third = await Promise.all(workers.map((worker) => worker.run('token', 5)));
    expect(third.flatMap((r) => r.failures)).toEqual(Array(20).fill(refused));
    expect(server.calls(TOKEN)).toBe(2);
  });

  it('a holder whose fetch fails releases the lock at once: a waiter takes over within a poll, not after lockTtlMs', async () => {
    const options: TokenTestOptions = {
      appId: server.appId,
      appSecret: server.appSecret,
      apiBaseUrl: server.url,
      keyPrefix: prefix(),
      lockTtlMs: 5000,
      lockPollIntervalMs: 50,
      maxRetries: 0,
    };
    await Promise.all(workers.map((worker) => worker.setup(options, REDIS_URL)));
    server.injectDelay(TOKEN, 300);
    server.injectResponse(TOKEN, { status: 502, body: 'Bad Gateway' });
    const started = Date.now();
    const results = await Promise.all(workers.map((worker) => worker.run('token', 10)));
    // The holder's callers get its failure (not a WeChat refusal: not shared) ...
    expect(results.flatMap((r) => r.failures)).toEqual(
      Array(10).fill({ name: 'WechatHttpError', code: 'WECHAT_HTTP', path: TOKEN }),
    );
    // ... and the other processes one new token, fetched by one of them.
    const tokens = results.flatMap((r) => r.values);
    expect(tokens).toHaveLength(30);
    expect(server.issuedTokens).toHaveLength(1);
    expect(new Set(tokens)).toEqual(new Set(server.issuedTokens));
    expect(server.calls(TOKEN)).toBe(2);
    expect(Math.max(...results.map((r) => r.finishedAt)) - started).toBeLessThan(2500);
  });

  it('stable_token: a token WeChat just rejected is never published, and force_refresh is limited fleet-wide', async () => {
    const keyPrefix = prefix();
    const options: TokenTestOptions = {
      appId: server.appId,
      appSecret: server.appSecret,
      apiBaseUrl: server.url,
      keyPrefix,
      tokenMode: 'stable_token',
    };
    const [a, b, c] = workers;
    await Promise.all([a, b].map((worker) => worker.setup(options, REDIS_URL)));
    const redis = newRedis();
    const key = accessTokenKey(keyPrefix, server.appId);
    const flags = () =>
      server.bodies(STABLE).map((body) => (body as { force_refresh: boolean }).force_refresh);
    const rejected40001 = {
      name: 'WechatApiError',
      code: 'WECHAT_API',
      errcode: 40001,
      path: TEMPLATE,
    };
    const [first] = await Promise.all([a, b].map((worker) => worker.run('token', 1)));
    const original = first.values[0];
    expect(flags()).toEqual([false]);

    // A confirmed rejection: A forces once, and publishes the new token.
    server.invalidateAllTokens({ keepStableToken: true });
    expect((await a.run('send', 1)).failures).toEqual([]);
    expect(flags()).toEqual([false, false, true]);
    const forced = server.issuedTokens.at(-1) as string;
    expect(forced).not.toBe(original);
    expect(await redis.get(key)).toBe(forced);

    // Rejected again within 30 s while WeChat keeps handing it out: A must not force, nor publish it.
    server.invalidateAllTokens({ keepStableToken: true });
    expect((await a.run('send', 1)).failures).toEqual([rejected40001]);
    expect(flags()).toEqual([false, false, true, false]);
    expect(await redis.get(key)).toBeNull();

    // B, another process, must not force either (WeChat's limit is per AppID), nor publish it.
    for (let round = 0; round < 2; round++) {
      expect((await b.run('send', 1)).failures).toEqual([rejected40001]);
      expect(flags().filter((flag) => flag)).toEqual([true]);
      expect(await redis.get(key)).toBeNull();
    }

    // A fresh process gets it from WeChat (nothing else is on offer) but does not publish it.
    await c.setup(options, REDIS_URL);
    expect((await c.run('token', 1)).values).toEqual([forced]);
    expect(await redis.get(key)).toBeNull();
    expect(flags().filter((flag) => flag)).toEqual([true]);
  });

  describe('rolling deploy next to processes of version 0.1 (old key names)', () => {
    const redis = newRedis();
    const options = (): TokenTestOptions => ({
      appId: server.appId,
      appSecret: server.appSecret,
      apiBaseUrl: server.url,
      keyPrefix: prefix(),
    });

    it('2 old + 2 new processes × 50 concurrent cold calls → exactly 1 upstream call, 1 token', async () => {
      const shared = options();
      await Promise.all(
        workers.map((worker, i) =>
          worker.setup(shared, REDIS_URL, i % 2 === 0 ? '0.1' : 'current'),
        ),
      );
      const results = await Promise.all(workers.map((worker) => worker.run('token', 50)));
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      expect(new Set(results.flatMap((r) => r.values))).toEqual(new Set(server.issuedTokens));
      expect(server.calls(TOKEN)).toBe(1);
    });

    it('each version reuses the token the other stored: no extra upstream call either way', async () => {
      const [oldA, fresh, oldB] = workers;
      const first = options();
      await oldA.setup(first, REDIS_URL, '0.1');
      await fresh.setup(first, REDIS_URL, 'current');
      const stored = (await oldA.run('token', 1)).values[0];
      expect((await fresh.run('token', 5)).values).toEqual(Array(5).fill(stored));
      expect(server.calls(TOKEN)).toBe(1);
      expect(await redis.get(`${first.keyPrefix}access_token:${server.appId}`)).toBe(stored);

      server.reset();
      const second = options();
      await fresh.setup(second, REDIS_URL, 'current');
      await oldB.setup(second, REDIS_URL, '0.1');
      const mirrored = (await fresh.run('token', 1)).values[0];
      expect((await oldB.run('token', 5)).values).toEqual(Array(5).fill(mirrored));
      expect(server.calls(TOKEN)).toBe(1);
      expect(await redis.get(`${second.keyPrefix}{${server.appId}}:access_token`)).toBe(mirrored);
      expect(await redis.get(`${second.keyPrefix}access_token:${server.appId}`)).toBe(mirrored);
    });

    it('40001 on a mixed fleet → exactly 1 refresh, every send succeeds after one retry', async () => {
      const shared = options();
      await Promise.all(
        workers.map((worker, i) =>
          worker.setup(shared, REDIS_URL, i % 2 === 0 ? '0.1' : 'current'),
        ),
      );
      await Promise.all(workers.map((worker) => worker.run('token', 5)));
      expect(server.calls(TOKEN)).toBe(1);
      server.invalidateAllTokens();
      const results = await Promise.all(workers.map((worker) => worker.run('send', 20)));
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      expect(server.calls(TOKEN)).toBe(2);
    });

    it('legacyKeys: false leaves the old names alone', async () => {
      const shared = { ...options(), legacyKeys: false };
      const [fresh] = workers;
      await fresh.setup(shared, REDIS_URL, 'current');
      await fresh.run('token', 1);
      expect(await redis.keys(`${shared.keyPrefix}*`)).toEqual([
        `${shared.keyPrefix}{${server.appId}}:access_token`,
      ]);
    });
  });

  it('the lock holder is SIGKILLed mid-fetch → the others get a token within lockTtlMs + a poll', async () => {
    const lockTtlMs = 1500;
    const options: TokenTestOptions = {
      appId: server.appId,
      appSecret: server.appSecret,
      apiBaseUrl: server.url,
      keyPrefix: prefix(),
      lockTtlMs,
      lockPollIntervalMs: 50,
    };
    await Promise.all(workers.map((worker) => worker.setup(options, REDIS_URL)));
    const [holder, ...others] = workers;
    server.injectDelay(TOKEN, 20_000);
    void holder.run('token', 50).catch(() => undefined);
    await server.waitForCalls(TOKEN, 1);
    const lockedAt = Date.now();
    const waiting = Promise.all(others.map((worker) => worker.run('token', 50)));
    await sleep(200);
    await holder.kill('SIGKILL');
    const results = await waiting;
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    const tokens = new Set(results.flatMap((r) => r.values));
    expect(tokens.size).toBe(1);
    expect(server.calls(TOKEN)).toBe(2); // the killed holder's and one more
    const slowest = Math.max(...results.map((r) => r.finishedAt)) - lockedAt;
    expect(slowest).toBeGreaterThanOrEqual(lockTtlMs - 300);
    expect(slowest).toBeLessThan(lockTtlMs + 1500);
  });
});

it('never wrote the AppSecret or an access_token to any log or error message', () => {
  const secrets = [server.appSecret, ...allTokens];
  expect(secrets.length).toBeGreaterThan(5);
  const logs = [output.text(), ...workerOutputs].join('\n');
  // The capture works: the outage warning and the retry warnings are in it.
  expect(logs).toContain(STORE_DOWN_WARNING);
  const messages = thrown.map((error) => (error instanceof Error ? error.message : String(error)));
  expect(messages.length).toBeGreaterThan(5);
  for (const secret of secrets) {
    expect(logs.includes(secret)).toBe(false);
    expect(messages.some((message) => message.includes(secret))).toBe(false);
  }
});

/** Wraps a store and counts the calls of every method. */
function countingStore(inner: AccessTokenStore): AccessTokenStore & { count: number } {
  const counter = { count: 0 };
  const proxy = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'count') return counter.count;
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counter.count++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return proxy as AccessTokenStore & { count: number };
}

/** QUIT for connected clients; disconnect() for the others (QUIT would wait for a reconnect). */
async function closeRedisClients(clients: Redis[]): Promise<void> {
  const closing = clients.splice(0).map(async (redis) => {
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else if (redis.status !== 'end') redis.disconnect();
  });
  await Promise.all(closing);
}

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
