// The demo's web authorization and JS-SDK contract (kept stable; external checks rely on it),
// against two demo processes (src/main.ts, as `npm start` runs it) sharing one Redis.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SANDBOX_APP_SECRET,
  startWechatApiServer,
  type WechatApiServer,
} from '@app/wechat/testing';
import { startDemoProcess, type DemoProcess } from './support/demo-process';

const APP_ID = 'wxde0de0de0de0de03';
const EXCHANGE = '/sns/oauth2/access_token';
const REDIS_URL = process.env.WECHAT_TEST_REDIS_URL as string;

let api: WechatApiServer;
let dir: string;
let demos: DemoProcess[];
let bases: string[];

beforeAll(async () => {
  api = await startWechatApiServer({ appId: APP_ID });
  dir = await mkdtemp(join(tmpdir(), 'wechat-demo-auth-'));
  const env = {
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: SANDBOX_APP_SECRET,
    WECHAT_TOKEN: 'demoCallbackToken',
    WECHAT_API_BASE_URL: api.url,
    WECHAT_OAUTH_BASE_URL: api.url,
    REDIS_URL,
  };
  demos = [startDemoProcess(dir, env), startDemoProcess(dir, env)];
  bases = await Promise.all(demos.map((demo) => demo.listening()));
}, 120_000);

beforeEach(() => api.reset());

afterAll(async () => {
  await Promise.all(demos.map((demo) => demo.stop()));
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, cookie?: string) =>
  fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0];

/** GET /auth/wechat on the first demo, then the sandbox's authorize page: the callback URL. */
async function callbackUrl(query: string): Promise<URL> {
  const start = await get(`${bases[0]}/auth/wechat?${query}`);
  expect(start.status).toBe(302);
  const authorize = start.headers.get('location') as string;
  expect(authorize.startsWith(`${api.url}/connect/oauth2/authorize?appid=${APP_ID}&`)).toBe(true);
  const page = await get(authorize.split('#')[0]);
  if (page.status === 200) {
    const allow = /href="([^"]+)"/.exec(await page.text())?.[1].replace(/&amp;/g, '&') as string;
    return new URL((await get(`${api.url}${allow}`)).headers.get('location') as string);
  }
  return new URL(page.headers.get('location') as string);
}

it('GET /auth/wechat → 302 to the authorize URL (WECHAT_OAUTH_BASE_URL), callback → returnTo with a session, /me', async () => {
  const start = await get(`${bases[0]}/auth/wechat?returnTo=/orders%3Fid%3D1`);
  const location = new URL(start.headers.get('location') as string);
  expect(location.searchParams.get('redirect_uri')).toBe(`${bases[0]}/auth/wechat/callback`);
  expect(location.searchParams.get('scope')).toBe('snsapi_base');
  expect(location.hash).toBe('#wechat_redirect');

  const callback = await callbackUrl('returnTo=/orders%3Fid%3D1');
  expect(callback.pathname).toBe('/auth/wechat/callback');
  const done = await get(`${bases[0]}${callback.pathname}${callback.search}`);
  expect(done.status).toBe(302);
  expect(done.headers.get('location')).toBe('/orders?id=1');
  expect(done.headers.get('set-cookie')).toMatch(
    /^demo_session=[\w-]+; HttpOnly; SameSite=Lax; Path=\//,
  );
  // The session lives in Redis: the other instance knows it too.
  const me = await get(`${bases[1]}/me`, cookieOf(done));
  expect(me.status).toBe(200);
  expect(await me.json()).toEqual({
    openId: 'oSandboxWebUser0001',
    account: 'default',
    via: 'oauth',
  });
  expect((await get(`${bases[1]}/me`)).status).toBe(401);
});

it('scope=snsapi_userinfo: /me has the nickname', async () => {
  const callback = await callbackUrl('scope=snsapi_userinfo');
  const done = await get(`${bases[1]}${callback.pathname}${callback.search}`);
  const me = (await (await get(`${bases[0]}/me`, cookieOf(done))).json()) as Record<
    string,
    unknown
  >;
  expect(me.nickname).toBe('微信用户 Sandbox');
});

it('the same callback 4 times (3 at once on 2 processes, 1 later) → 1 upstream exchange, 4 logins', async () => {
  const callback = await callbackUrl('returnTo=/');
  const path = `${callback.pathname}${callback.search}`;
  api.injectDelay(EXCHANGE, 300);
  const replays = await Promise.all([
    get(`${bases[0]}${path}`),
    get(`${bases[1]}${path}`),
    get(`${bases[1]}${path}`),
  ]);
  replays.push(await get(`${bases[0]}${path}`));
  for (const res of replays) {
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    expect((await get(`${bases[0]}/me`, cookieOf(res))).status).toBe(200);
  }
  expect(api.calls(EXCHANGE)).toBe(1);
});

it('forged, unknown and reused-with-another-code states → 400 before any exchange', async () => {
  const forged = await get(
    `${bases[0]}/auth/wechat/callback?code=${api.issueOAuthCode()}&state=forged1`,
  );
  expect(forged.status).toBe(400);
  const callback = await callbackUrl('returnTo=/');
  await get(`${bases[0]}${callback.pathname}${callback.search}`);
  const state = callback.searchParams.get('state') as string;
  const reused = await get(
    `${bases[1]}/auth/wechat/callback?code=${api.issueOAuthCode()}&state=${state}`,
  );
  expect(reused.status).toBe(400);
  expect(((await reused.json()) as { message: string }).message).toMatch(/another code/);
  expect(api.calls(EXCHANGE)).toBe(1);
});

it.each(['https://evil.example/x', '//evil.example', '/\\evil.example'])(
  'returnTo=%s ends at / (no open redirect)',
  async (returnTo) => {
    const callback = await callbackUrl(`returnTo=${encodeURIComponent(returnTo)}`);
    const done = await get(`${bases[0]}${callback.pathname}${callback.search}`);
    expect(done.headers.get('location')).toBe('/');
  },
);

it('GET /jssdk/config?url → the wx.config object; 400 for a missing or bad URL; 404 for an unknown account', async () => {
  const url = 'https://m.example.com/page?x=1#frag';
  const res = await get(`${bases[0]}/jssdk/config?url=${encodeURIComponent(url)}`);
  expect(res.status).toBe(200);
  const config = (await res.json()) as Record<string, unknown>;
  expect(config).toMatchObject({
    debug: false,
    appId: APP_ID,
    jsApiList: ['updateAppMessageShareData', 'updateTimelineShareData', 'scanQRCode'],
    openTagList: [],
  });
  const signed = `jsapi_ticket=${api.issuedTickets[0]}&noncestr=${String(config.nonceStr)}&timestamp=${String(config.timestamp)}&url=https://m.example.com/page?x=1`;
  expect(config.signature).toBe(createHash('sha1').update(signed).digest('hex'));
  // The other process uses the same ticket (one getticket for the fleet).
  await get(`${bases[1]}/jssdk/config?url=${encodeURIComponent(url)}`);
  expect(api.calls('/cgi-bin/ticket/getticket')).toBe(1);

  expect((await get(`${bases[0]}/jssdk/config`)).status).toBe(400);
  expect((await get(`${bases[0]}/jssdk/config?url=%2Fpage`)).status).toBe(400);
  expect(
    (await get(`${bases[0]}/jssdk/config?url=${encodeURIComponent(url)}&account=nope`)).status,
  ).toBe(404);
  expect((await get(`${bases[0]}/auth/wechat?account=nope`)).status).toBe(404);
});
