// The JS-SDK: wx.config objects signed with the account's jsapi_ticket, one ticket for the fleet.
import { createHash, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AccessTokenService,
  WechatApiError,
  WechatJssdkService,
  WechatModule,
  WechatValidationError,
} from '@app/wechat';
import { startWechatApiServer, type WechatApiServer } from '@app/wechat/testing';
import { closeTestRedisClients, testRedisClient } from './support/test-redis-clients';
import type { TokenTestOptions } from './support/token-options';
import { startTokenWorkers, type TokenWorker } from './support/token-workers';

const REDIS_URL = process.env.WECHAT_TEST_REDIS_URL as string;
const GETTICKET = '/cgi-bin/ticket/getticket';
const TOKEN = '/cgi-bin/token';

let server: WechatApiServer;
let moduleRef: TestingModule;
let jssdk: WechatJssdkService;

async function jssdkFor(
  keyPrefix: string,
): Promise<{ ref: TestingModule; jssdk: WechatJssdkService }> {
  const ref = await Test.createTestingModule({
    imports: [
      WechatModule.forRoot({
        appId: server.appId,
        appSecret: server.appSecret,
        apiBaseUrl: server.url,
        path: false,
        redis: testRedisClient(),
        keyPrefix,
      }),
    ],
  }).compile();
  return { ref, jssdk: ref.get(WechatJssdkService) };
}

beforeAll(async () => {
  server = await startWechatApiServer();
});

beforeEach(async () => {
  server.reset();
  ({ ref: moduleRef, jssdk } = await jssdkFor(`test:${randomUUID()}:`));
});

afterEach(() => moduleRef.close());

afterAll(async () => {
  await closeTestRedisClients();
  await server.close();
});

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

it('getConfig → the exact wx.config object, signed over the page URL cut at #', async () => {
  const url = 'https://m.shop.example/活动?id=1&from=%E5%88%86%E4%BA%AB#/cart';
  const before = Math.floor(Date.now() / 1000);
  const config = await jssdk.getConfig({
    url,
    jsApiList: ['updateAppMessageShareData', 'scanQRCode'],
  });
  expect(Object.keys(config)).toEqual([
    'debug',
    'appId',
    'timestamp',
    'nonceStr',
    'signature',
    'jsApiList',
    'openTagList',
  ]);
  expect(config.appId).toBe(server.appId);
  expect(config.debug).toBe(false);
  expect(config.jsApiList).toEqual(['updateAppMessageShareData', 'scanQRCode']);
  expect(config.openTagList).toEqual([]);
  expect(config.timestamp).toBeGreaterThanOrEqual(before);
  expect(config.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
  const [ticket] = server.issuedTickets;
  expect(config.signature).toBe(
    sha1(
      `jsapi_ticket=${ticket}&noncestr=${config.nonceStr}&timestamp=${config.timestamp}&url=https://m.shop.example/活动?id=1&from=%E5%88%86%E4%BA%AB`,
    ),
  );
  expect(server.lastQuery(GETTICKET)).toEqual({
    access_token: server.issuedTokens[0],
    type: 'jsapi',
  });
});

it('debug: true returns the exact string that was signed; open tags pass through', async () => {
  const config = await jssdk.getConfig({
    url: 'https://m.shop.example/p',
    jsApiList: ['chooseImage'],
    openTagList: ['wx-open-launch-weapp'],
    debug: true,
  });
  expect(config.debug).toBe(true);
  expect(config.openTagList).toEqual(['wx-open-launch-weapp']);
  expect(config.signed).toBe(
    `jsapi_ticket=${server.issuedTickets[0]}&noncestr=${config.nonceStr}&timestamp=${config.timestamp}&url=https://m.shop.example/p`,
  );
  expect(config.signature).toBe(sha1(config.signed as string));
});

it.each([
  ['/relative/page', 'url'],
  ['https://m.shop.example/p?a=1&amp;b=2', 'url'],
  ['', 'url'],
])('refuses url %p before any call to WeChat', async (url, field) => {
  await expect(jssdk.getConfig({ url, jsApiList: ['chooseImage'] })).rejects.toMatchObject({
    constructor: WechatValidationError,
    field,
  });
  expect(server.calls()).toBe(0);
});

it('one ticket per expiry: 50 concurrent configs from cold → 1 getticket, 1 token call', async () => {
  const configs = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      jssdk.getConfig({ url: `https://m.shop.example/p${i}`, jsApiList: ['chooseImage'] }),
    ),
  );
  expect(new Set(configs.map((c) => c.signature)).size).toBe(50);
  expect(server.calls(GETTICKET)).toBe(1);
  expect(server.calls(TOKEN)).toBe(1);
});

it('40001 on getticket → the token is refreshed once, then the ticket comes', async () => {
  const tokens = moduleRef.get(AccessTokenService);
  const rejected = await tokens.getAccessToken(); // cached here and in Redis
  server.invalidateAllTokens();
  const config = await jssdk.getConfig({
    url: 'https://m.shop.example/p',
    jsApiList: ['chooseImage'],
  });
  expect(server.calls(TOKEN)).toBe(2);
  expect(server.calls(GETTICKET)).toBe(2); // the 40001, then the retry with the new token
  expect(server.lastQuery(GETTICKET)?.access_token).toBe(server.issuedTokens[1]);
  expect(server.issuedTokens[1]).not.toBe(rejected);
  expect(config.signature).toMatch(/^[0-9a-f]{40}$/);
});

it('45009 (daily quota): a typed error for all 20 callers from 1 upstream call, no retry storm', async () => {
  server.injectError(GETTICKET, {
    errcode: 45009,
    errmsg: 'reach max api daily quota limit',
    times: 5,
  });
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, () =>
      jssdk.getConfig({ url: 'https://m.shop.example/p', jsApiList: ['chooseImage'] }),
    ),
  );
  for (const result of results) {
    expect(result.status).toBe('rejected');
    const reason = (result as PromiseRejectedResult).reason as WechatApiError;
    expect(reason).toBeInstanceOf(WechatApiError);
    expect(reason.errcode).toBe(45009);
  }
  expect(server.calls(GETTICKET)).toBe(1);
  // Shared with the fleet for tokenRefusalTtlMs: a caller right after gets it without a call.
  await expect(
    jssdk.getConfig({ url: 'https://m.shop.example/p', jsApiList: ['x'] }),
  ).rejects.toMatchObject({ errcode: 45009 });
  expect(server.calls(GETTICKET)).toBe(1);
});

describe('two processes', () => {
  let workers: TokenWorker[];

  // Forking ts-node processes takes seconds each on a busy 2-core machine.
  beforeAll(async () => {
    workers = await startTokenWorkers(2);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
  });

  it('2 processes × 50 concurrent ticket requests from cold → exactly 1 getticket, 1 ticket', async () => {
    const options: TokenTestOptions = {
      appId: server.appId,
      appSecret: server.appSecret,
      apiBaseUrl: server.url,
      keyPrefix: `test:${randomUUID()}:`,
    };
    await Promise.all(workers.map((worker) => worker.setup(options, REDIS_URL)));
    const results = await Promise.all(workers.map((worker) => worker.run('jsapi', 50)));
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(new Set(results.flatMap((r) => r.values))).toEqual(new Set(server.issuedTickets));
    expect(server.issuedTickets).toHaveLength(1);
    expect(server.calls(GETTICKET)).toBe(1);
    expect(server.calls(TOKEN)).toBe(1);
    const redis = testRedisClient();
    expect(await redis.get(`${options.keyPrefix}{${server.appId}}:jsapi_ticket`)).toBe(
      server.issuedTickets[0],
    );
  });
});
