import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import {
  AccessTokenService,
  MemoryAccessTokenStore,
  RedisAccessTokenStore,
  WechatApiError,
  WechatClientService,
  WechatHttpClient,
  WechatHttpError,
  WechatValidationError,
  type WechatQRCodeRequest,
} from '@app/wechat';
import { captureOutput } from './support/token-log-capture';
import { tokenTestOptions, type TokenTestOptions } from './support/token-options';
import { startWechatApiServer, type WechatApiServer } from '@app/wechat/testing';

const TOKEN = '/cgi-bin/token';
const TEMPLATE = '/cgi-bin/message/template/send';
const QRCODE = '/cgi-bin/qrcode/create';
const USER_INFO = '/cgi-bin/user/info';
const BATCH_GET = '/cgi-bin/user/info/batchget';
const CUSTOM = '/cgi-bin/message/custom/send';
const OPENID = 'oAbCdEfGhIjKlMnOpQrStUvWxYz0';

const output = captureOutput();
const servers: WechatApiServer[] = [];
const redisClients: Redis[] = [];
const thrown: unknown[] = [];
const allTokens = new Set<string>();
let server: WechatApiServer;

interface Built {
  client: WechatClientService;
  http: WechatHttpClient;
  tokens: AccessTokenService;
}

function build(overrides: Partial<TokenTestOptions> = {}, target = server): Built {
  const options = tokenTestOptions({
    appId: target.appId,
    appSecret: target.appSecret,
    apiBaseUrl: target.url,
    retryBackoffMs: 10,
    ...overrides,
  });
  const http = new WechatHttpClient(options);
  const tokens = new AccessTokenService(options, new MemoryAccessTokenStore(), http);
  return { client: new WechatClientService(tokens, http, options), http, tokens };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error: unknown) {
    thrown.push(error);
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const TEMPLATE_MESSAGE = {
  touser: OPENID,
  template_id: 'ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY',
  url: 'https://example.com/orders/1',
  miniprogram: { appid: 'wx_mini_app_0001', pagepath: 'index?foo=bar' },
  client_msg_id: 'MSG_000001',
  data: {
    keyword1: { value: '巧克力' },
    amount2: { value: '39.8元', color: '#173177' },
  },
};

beforeAll(async () => {
  server = await startWechatApiServer();
  servers.push(server);
});
beforeEach(() => server.reset());
afterEach(() => {
  for (const s of servers) for (const token of s.issuedTokens) allTokens.add(token);
});
afterAll(async () => {
  await Promise.all(redisClients.map((redis) => redis.quit()));
  await Promise.all(servers.map((s) => s.close()));
  output.restore();
});

describe('sendTemplateMessage', () => {
  it('sends the body as given, the token in the query, and returns msgid exactly (above 2^53)', async () => {
    const { client } = build();
    await expect(client.sendTemplateMessage(TEMPLATE_MESSAGE)).resolves.toEqual({
      msgId: '9007199254740993',
    });
    await expect(client.sendTemplateMessage(TEMPLATE_MESSAGE)).resolves.toEqual({
      msgId: '9007199254740994',
    });
    expect(server.lastBody(TEMPLATE)).toEqual(TEMPLATE_MESSAGE);
    expect(server.lastQuery(TEMPLATE)).toEqual({ access_token: server.issuedTokens[0] });
    expect(server.calls(TOKEN)).toBe(1);
  });

  it('keeps a uint64 msgid exact and leaves absent optional fields out of the body', async () => {
    const bigServer = await startWechatApiServer({ firstMsgId: '18446744073709551615' });
    servers.push(bigServer);
    const { client } = build({}, bigServer);
    const minimal = { touser: OPENID, template_id: 'TPL', data: { k: { value: 'v' } } };
    await expect(client.sendTemplateMessage(minimal)).resolves.toEqual({
      msgId: '18446744073709551615',
    });
    expect(bigServer.lastRawBody(TEMPLATE)).toBe(
      `{"touser":"${OPENID}","template_id":"TPL","data":{"k":{"value":"v"}}}`,
    );
  });

  it('sends non-ASCII text as raw UTF-8, never as \\u escapes', async () => {
    const { client } = build();
    await client.sendTemplateMessage(TEMPLATE_MESSAGE);
    const raw = server.lastRawBody(TEMPLATE) as string;
    expect(raw).toContain('"value":"巧克力"');
    expect(raw).toContain('"value":"39.8元"');
    expect(raw).not.toContain('\\u');
  });

  it.each([
    ['touser', { ...TEMPLATE_MESSAGE, touser: '' }],
    ['template_id', { ...TEMPLATE_MESSAGE, template_id: ' ' }],
    ['data', { ...TEMPLATE_MESSAGE, data: null as unknown as Record<string, { value: string }> }],
  ])('refuses a missing %s before any HTTP call', async (field, message) => {
    const { client } = build();
    const error = await rejection(client.sendTemplateMessage(message));
    expect(error).toBeInstanceOf(WechatValidationError);
    expect(error).toMatchObject({ code: 'WECHAT_VALIDATION', field });
    expect(server.calls()).toBe(0);
  });
});

describe('the request pipeline (WechatHttpClient)', () => {
  it('retries errcode -1 with backoff and then succeeds', async () => {
    const { client } = build();
    server.injectError(TEMPLATE, { errcode: -1, errmsg: 'system error' });
    await expect(client.sendTemplateMessage(TEMPLATE_MESSAGE)).resolves.toEqual({
      msgId: '9007199254740993',
    });
    expect(server.calls(TEMPLATE)).toBe(2);
  });

  it('gives up on -1 after maxRetries with a WechatApiError', async () => {
    const { client } = build({ maxRetries: 2, retryBackoffMs: 40 });
    await client.getAccessToken();
    server.injectError(TEMPLATE, { errcode: -1, errmsg: 'system error', times: 3 });
    const started = Date.now();
    const error = await rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE));
    expect(Date.now() - started).toBeGreaterThanOrEqual(40 + 80 - 5);
    expect(error).toBeInstanceOf(WechatApiError);
    expect(error).toMatchObject({ errcode: -1, path: TEMPLATE });
    expect(server.calls(TEMPLATE)).toBe(3);
  });

  it('a timeout becomes WechatHttpError TIMEOUT in bounded time, after the retries', async () => {
    const { client } = build({ requestTimeoutMs: 300, maxRetries: 1 });
    await client.getAccessToken();
    server.injectDelay(TEMPLATE, 3000, 2);
    const started = Date.now();
    const error = await rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(WechatHttpError);
    expect(error).toMatchObject({ code: 'WECHAT_HTTP', reason: 'TIMEOUT', attempts: 2 });
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(1500);
    expect(server.calls(TEMPLATE)).toBe(2);
  });

  it('retries a reset connection and succeeds', async () => {
    const { client } = build();
    await client.getAccessToken();
    server.injectReset(TEMPLATE);
    await expect(client.sendTemplateMessage(TEMPLATE_MESSAGE)).resolves.toEqual({
      msgId: '9007199254740993',
    });
    expect(server.calls(TEMPLATE)).toBe(2);
  });

  it('reset on every attempt → WechatHttpError NETWORK after 1 + maxRetries attempts', async () => {
    const { client } = build({ maxRetries: 2 });
    await client.getAccessToken();
    server.injectReset(TEMPLATE, 3);
    const error = await rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE));
    expect(error).toMatchObject({ code: 'WECHAT_HTTP', reason: 'NETWORK', attempts: 3 });
    expect(server.calls(TEMPLATE)).toBe(3);
  });

  it('an unreachable API → WechatHttpError NETWORK', async () => {
    const gone = await startWechatApiServer();
    await gone.close();
    const { tokens } = build({ maxRetries: 1 }, gone);
    const error = await rejection(tokens.getAccessToken());
    expect(error).toMatchObject({ reason: 'NETWORK', attempts: 2, path: TOKEN });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('retries HTTP 5xx (HTML body), then succeeds; keeps failing → BAD_RESPONSE with the status', async () => {
    const { client } = build({ maxRetries: 2 });
    await client.getAccessToken();
    const html = { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' };
    server.injectResponse(TEMPLATE, html);
    await expect(client.sendTemplateMessage(TEMPLATE_MESSAGE)).resolves.toEqual({
      msgId: '9007199254740993',
    });
    expect(server.calls(TEMPLATE)).toBe(2);
    server.injectResponse(TEMPLATE, { ...html, times: 3 });
    const error = await rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE));
    expect(error).toMatchObject({ reason: 'BAD_RESPONSE', status: 502, attempts: 3 });
    expect(server.calls(TEMPLATE)).toBe(5);
  });

  it.each([
    ['a non-JSON 200', { status: 200, body: 'upstream says hi' }],
    ['a JSON array', { status: 200, body: '[1,2]', contentType: 'application/json' }],
    ['HTTP 404', { status: 404, body: 'Not Found' }],
  ])('%s → BAD_RESPONSE at once, no retry', async (_name, response) => {
    const { client } = build();
    await client.getAccessToken();
    server.injectResponse(TEMPLATE, response);
    const error = await rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE));
    expect(error).toBeInstanceOf(WechatHttpError);
    expect(error).toMatchObject({ reason: 'BAD_RESPONSE', attempts: 1 });
    expect(server.calls(TEMPLATE)).toBe(1);
  });

  it('retries the token endpoint on -1 too', async () => {
    const { tokens } = build();
    server.injectError(TOKEN, { errcode: -1, errmsg: 'system error' });
    await expect(tokens.getAccessToken()).resolves.toBe(await tokens.getAccessToken());
    expect(server.calls(TOKEN)).toBe(2);
    expect(server.issuedTokens).toHaveLength(1);
  });

  it('onModuleDestroy clears a pending backoff at once (ABORTED), and refuses later calls', async () => {
    const { client, http } = build({ retryBackoffMs: 20_000 });
    await client.getAccessToken();
    server.injectError(TEMPLATE, { errcode: -1, errmsg: 'system error' });
    const pending = rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE));
    await server.waitForCalls(TEMPLATE, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    http.onModuleDestroy();
    await expect(pending).resolves.toMatchObject({ reason: 'ABORTED' });
    // Not the 20 s backoff (a bound a busy machine cannot miss).
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE))).resolves.toMatchObject({
      reason: 'ABORTED',
    });
    expect(server.calls(TEMPLATE)).toBe(1);
  });

  it('messages name the path only: no query, no token, no secret', async () => {
    const { client } = build({ maxRetries: 0 });
    const token = await client.getAccessToken();
    server.injectError(TEMPLATE, {
      errcode: 48001,
      errmsg: `api unauthorized, token ${token} secret ${server.appSecret}`,
    });
    const error = await rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE));
    expect(error).toMatchObject({ errcode: 48001, path: TEMPLATE });
    expect(error.message).toContain(`WeChat API ${TEMPLATE} failed with errcode 48001`);
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(server.appSecret);
    expect(error.message).not.toContain('access_token');
    expect(error.message).not.toContain('?');
    expect((error as WechatApiError).errmsg).toMatch(
      /^api unauthorized, token \*\*\* secret \*\*\*/,
    );
  });
});

describe('token rejection and fatal errors (callWithToken)', () => {
  it.each([40001, 40014, 42001])(
    '%i → clears that token, refreshes once, retries once with the new token',
    async (errcode) => {
      const { client } = build();
      const first = await client.getAccessToken();
      server.injectError(TEMPLATE, { errcode, errmsg: 'token rejected' });
      await expect(client.sendTemplateMessage(TEMPLATE_MESSAGE)).resolves.toEqual({
        msgId: '9007199254740993',
      });
      expect(server.calls(TOKEN)).toBe(2);
      expect(server.calls(TEMPLATE)).toBe(2);
      const second = server.issuedTokens[1];
      expect(second).not.toBe(first);
      expect(server.lastQuery(TEMPLATE)).toEqual({ access_token: second });
      expect(await client.getAccessToken()).toBe(second);
    },
  );

  it('a second rejection surfaces after exactly one retry', async () => {
    const { client } = build();
    await client.getAccessToken();
    server.injectError(TEMPLATE, { errcode: 40001, errmsg: 'invalid credential', times: 2 });
    const error = await rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE));
    expect(error).toMatchObject({ errcode: 40001, path: TEMPLATE });
    expect(server.calls(TEMPLATE)).toBe(2);
    expect(server.calls(TOKEN)).toBe(2);
  });

  it.each([
    [40164, 'whitelist'],
    [40125, 'AppSecret'],
    [40013, 'AppID'],
    [45009, 'quota'],
    [89503, 'admin'],
    [43004, undefined],
  ])('%i fails at once: exactly 1 call, no refresh, hint %s', async (errcode, hint) => {
    const { client } = build();
    await client.getAccessToken();
    server.injectError(TEMPLATE, { errcode, errmsg: `errmsg of ${errcode}` });
    const error = await rejection(client.sendTemplateMessage(TEMPLATE_MESSAGE));
    expect(error).toBeInstanceOf(WechatApiError);
    expect(error).toMatchObject({
      code: 'WECHAT_API',
      errcode,
      errmsg: expect.stringContaining(`errmsg of ${errcode}`),
    });
    if (hint) expect(error.message).toContain(`Hint: ${WechatApiError.hintFor(errcode)}`);
    if (hint) expect(error.message).toContain(hint);
    else expect(error.message).not.toContain('Hint');
    expect(server.calls(TEMPLATE)).toBe(1);
    expect(server.calls(TOKEN)).toBe(1);
  });

  it('works the same on the Redis store', async () => {
    const redis = new Redis(process.env.WECHAT_TEST_REDIS_URL as string);
    redisClients.push(redis);
    const options = tokenTestOptions({
      appId: server.appId,
      appSecret: server.appSecret,
      apiBaseUrl: server.url,
      keyPrefix: `test:${randomUUID()}:`,
    });
    const http = new WechatHttpClient(options);
    const tokens = new AccessTokenService(options, new RedisAccessTokenStore(redis), http);
    const client = new WechatClientService(tokens, http, options);
    await client.getAccessToken();
    server.invalidateAllTokens();
    await expect(client.sendTemplateMessage(TEMPLATE_MESSAGE)).resolves.toEqual({
      msgId: '9007199254740993',
    });
    expect(server.calls(TOKEN)).toBe(2);
    expect(await redis.get(`${options.keyPrefix}{${server.appId}}:access_token`)).toBe(
      server.issuedTokens[1],
    );
  });
});

describe('createQRCode', () => {
  const encoded = (ticket: string) =>
    ticket.replace(/\+/g, '%2B').replace(/\//g, '%2F').replace(/=/g, '%3D');

  it('temporary numeric scene → QR_SCENE with scene_id and expire_seconds; imageUrl encodes + / =', async () => {
    const { client } = build();
    const qr = await client.createQRCode({ scene: 123, expireSeconds: 600 });
    expect(server.lastBody(QRCODE)).toEqual({
      expire_seconds: 600,
      action_name: 'QR_SCENE',
      action_info: { scene: { scene_id: 123 } },
    });
    const created = server.createdQRCodes[0];
    expect(created.ticket).toMatch(/\+/);
    expect(created.ticket).toMatch(/\//);
    expect(created.ticket).toMatch(/=$/);
    expect(qr).toEqual({
      ticket: created.ticket,
      url: created.url,
      expireSeconds: 600,
      imageUrl: `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encoded(created.ticket)}`,
    });
    expect(qr.imageUrl).not.toMatch(/ticket=.*[+/=]/);
  });

  it('string scene → QR_STR_SCENE; WeChat default lifetime when expireSeconds is absent', async () => {
    const { client } = build();
    const qr = await client.createQRCode({ scene: 'login_3f9a' });
    expect(server.lastBody(QRCODE)).toEqual({
      action_name: 'QR_STR_SCENE',
      action_info: { scene: { scene_str: 'login_3f9a' } },
    });
    expect(qr.expireSeconds).toBe(60);
  });

  it.each([
    [{ scene: 100_000, permanent: true }, 'QR_LIMIT_SCENE', { scene_id: 100_000 }],
    [{ scene: '42', permanent: true }, 'QR_LIMIT_STR_SCENE', { scene_str: '42' }],
  ])('permanent %j → %s, no expire_seconds', async (request, actionName, scene) => {
    const { client } = build();
    const qr = await client.createQRCode(request);
    expect(server.lastBody(QRCODE)).toEqual({ action_name: actionName, action_info: { scene } });
    expect(qr).not.toHaveProperty('expireSeconds');
    expect(qr.imageUrl).toBe(
      `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encoded(qr.ticket)}`,
    );
  });

  it('accepts the boundaries WeChat accepts', async () => {
    const { client } = build();
    const accepted: WechatQRCodeRequest[] = [
      { scene: 2 ** 31 - 1 },
      { scene: -(2 ** 31) },
      { scene: 1, permanent: true },
      { scene: 'x'.repeat(64) },
      { scene: 's', expireSeconds: 60 },
      { scene: 's', expireSeconds: 2_592_000 },
    ];
    for (const request of accepted) await client.createQRCode(request);
    expect(server.calls(QRCODE)).toBe(accepted.length);
  });

  it.each<[string, WechatQRCodeRequest]>([
    ['scene', { scene: 0 }],
    ['scene', { scene: 1.5 }],
    ['scene', { scene: 2 ** 31 }],
    ['scene', { scene: -(2 ** 31) - 1 }],
    ['scene', { scene: 0, permanent: true }],
    ['scene', { scene: 100_001, permanent: true }],
    ['scene', { scene: '' }],
    ['scene', { scene: 'x'.repeat(65) }],
    ['scene', { scene: null as unknown as string }],
    ['expireSeconds', { scene: 's', expireSeconds: 59 }],
    ['expireSeconds', { scene: 's', expireSeconds: 2_592_001 }],
    ['expireSeconds', { scene: 's', expireSeconds: 90.5 }],
    ['expireSeconds', { scene: 7, permanent: true, expireSeconds: 600 }],
  ])('refuses a bad %s (%j) before any HTTP call', async (field, request) => {
    const { client } = build();
    const error = await rejection(client.createQRCode(request));
    expect(error).toBeInstanceOf(WechatValidationError);
    expect(error).toMatchObject({ code: 'WECHAT_VALIDATION', field });
    expect(server.calls()).toBe(0);
  });
});

describe('user info', () => {
  it('getUserInfo returns the profile; lang defaults to zh_CN', async () => {
    const { client } = build();
    await expect(client.getUserInfo(OPENID)).resolves.toEqual({
      subscribe: 1,
      openid: OPENID,
      language: 'zh_CN',
      subscribe_time: 1_700_000_000,
      remark: '',
      groupid: 0,
      tagid_list: [],
      subscribe_scene: 'ADD_SCENE_QR_CODE',
      qr_scene: 0,
      qr_scene_str: '',
    });
    expect(server.lastQuery(USER_INFO)).toEqual({
      openid: OPENID,
      lang: 'zh_CN',
      access_token: server.issuedTokens[0],
    });
    await client.getUserInfo(OPENID, 'en');
    expect(server.lastQuery(USER_INFO)?.lang).toBe('en');
  });

  it('a user who does not follow: subscribe 0 and nothing else', async () => {
    const { client } = build();
    server.setUser('oUnfollowed0001', { subscribe: 0 });
    await expect(client.getUserInfo('oUnfollowed0001')).resolves.toEqual({
      subscribe: 0,
      openid: 'oUnfollowed0001',
    });
  });

  it('an unknown lang is refused before the call; a bad openid gets WeChat 40003', async () => {
    const { client } = build();
    const langError = await rejection(client.getUserInfo(OPENID, 'fr' as 'en'));
    expect(langError).toMatchObject({ code: 'WECHAT_VALIDATION', field: 'lang' });
    expect(server.calls()).toBe(0);
    const openidError = await rejection(client.getUserInfo('not-an-openid'));
    expect(openidError).toMatchObject({ code: 'WECHAT_API', errcode: 40003, path: USER_INFO });
  });

  it('batchGetUserInfo accepts 100 openids (zh_CN) and { openid, lang } entries', async () => {
    const { client } = build();
    const openIds = Array.from(
      { length: 100 },
      (_, i) => `oBatchUser${String(i).padStart(4, '0')}`,
    );
    const users = await client.batchGetUserInfo(openIds);
    expect(users.map((u) => u.openid)).toEqual(openIds);
    expect(server.lastBody(BATCH_GET)).toEqual({
      user_list: openIds.map((openid) => ({ openid, lang: 'zh_CN' })),
    });
    server.setUser('oBatchGone0001', { subscribe: 0 });
    const mixed = await client.batchGetUserInfo([
      { openid: OPENID, lang: 'zh_TW' },
      { openid: 'oBatchGone0001' },
    ]);
    expect(mixed).toEqual([
      expect.objectContaining({ openid: OPENID, subscribe: 1, language: 'zh_TW' }),
      { subscribe: 0, openid: 'oBatchGone0001' },
    ]);
    expect(server.calls(BATCH_GET)).toBe(2);
  });

  it.each([
    ['none', []],
    ['101', Array.from({ length: 101 }, (_, i) => `oBatchUser${String(i).padStart(4, '0')}`)],
    ['an empty openid', [OPENID, '']],
  ])('batchGetUserInfo refuses %s before any HTTP call', async (_name, openIds) => {
    const { client } = build();
    const error = await rejection(client.batchGetUserInfo(openIds));
    expect(error).toBeInstanceOf(WechatValidationError);
    expect(server.calls()).toBe(0);
  });
});

describe('sendCustomMessage', () => {
  it('sends text as raw UTF-8 (Chinese and emoji verbatim)', async () => {
    const { client } = build();
    const message = {
      touser: OPENID,
      msgtype: 'text' as const,
      text: { content: '你好，世界 👋 <a href="https://example.com">链接</a>' },
      customservice: { kf_account: 'test1@kftest' },
    };
    await client.sendCustomMessage(message);
    expect(server.lastBody(CUSTOM)).toEqual(message);
    const raw = server.lastRawBody(CUSTOM) as string;
    expect(raw).toContain('你好，世界 👋');
    expect(raw).toContain('链接');
    expect(raw).not.toContain('\\u');
  });

  it('sends news and miniprogrampage bodies unchanged', async () => {
    const { client } = build();
    const news = {
      touser: OPENID,
      msgtype: 'news' as const,
      news: {
        articles: [
          {
            title: '标题',
            description: '描述',
            url: 'https://e.com',
            picurl: 'https://e.com/p.png',
          },
        ] as [{ title: string; description: string; url: string; picurl: string }],
      },
    };
    await client.sendCustomMessage(news);
    expect(server.lastBody(CUSTOM)).toEqual(news);
    const page = {
      touser: OPENID,
      msgtype: 'miniprogrampage' as const,
      miniprogrampage: {
        title: '小程序',
        appid: 'wx_mini_app_0001',
        pagepath: 'pages/index',
        thumb_media_id: 'MEDIA_ID',
      },
    };
    await client.sendCustomMessage(page);
    expect(server.lastBody(CUSTOM)).toEqual(page);
    expect(server.calls(CUSTOM)).toBe(2);
  });

  it('refuses a message without its payload, before any HTTP call', async () => {
    const { client } = build();
    const error = await rejection(
      client.sendCustomMessage({ touser: OPENID, msgtype: 'image' } as unknown as Parameters<
        WechatClientService['sendCustomMessage']
      >[0]),
    );
    expect(error).toMatchObject({ code: 'WECHAT_VALIDATION', field: 'image' });
    expect(server.calls()).toBe(0);
  });

  it('the fixture, like WeChat, refuses a body with \\u escapes (40033)', async () => {
    const { client } = build();
    const token = await client.getAccessToken();
    const response = await fetch(`${server.url}${CUSTOM}?access_token=${token}`, {
      method: 'POST',
      body: '{"touser":"' + OPENID + '","msgtype":"text","text":{"content":"\\u4f60\\u597d"}}',
    });
    expect(((await response.json()) as { errcode: number }).errcode).toBe(40033);
  });
});

it('never wrote the AppSecret or an access_token to any log or error message', () => {
  const secrets = [server.appSecret, ...allTokens];
  expect(allTokens.size).toBeGreaterThan(10);
  const logs = output.text();
  // The capture works: the retry warnings of the pipeline are in it.
  expect(logs).toContain(`WeChat API ${TEMPLATE} attempt 1/3 failed`);
  const messages = thrown.map((error) => (error instanceof Error ? error.message : String(error)));
  expect(messages.length).toBeGreaterThan(20);
  for (const secret of secrets) {
    expect(logs.includes(secret)).toBe(false);
    expect(messages.some((message) => message.includes(secret))).toBe(false);
  }
});
