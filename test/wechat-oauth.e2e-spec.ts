// Web authorization (OAuth2) through the sandbox's authorize page and /sns/* endpoints: the guard's
// redirect, the callback's exactly-once code exchange across instances, state checks (CSRF) and
// open-redirect refusal.
import { randomUUID } from 'node:crypto';
import {
  Controller,
  Get,
  Injectable,
  Module,
  UseGuards,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Request, Response } from 'express';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  WechatApiError,
  WechatModule,
  WechatOAuthGuard,
  WechatOAuthService,
  WechatOAuthStateError,
  WechatOAuthUser,
  type WechatOAuthResult,
  type WechatOAuthSession,
} from '@app/wechat';
import {
  SANDBOX_OAUTH_USER,
  startWechatApiServer,
  type WechatApiServer,
} from '@app/wechat/testing';
import { closeTestRedisClients, testRedisClient } from './support/test-redis-clients';

const EXCHANGE = '/sns/oauth2/access_token';

/** Sessions shared by every test instance (a host would use its own store). */
const sessions = new Map<string, WechatOAuthResult>();

@Injectable()
class TestSession implements WechatOAuthSession<WechatOAuthResult> {
  read(req: Request): WechatOAuthResult | undefined {
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid === undefined ? undefined : sessions.get(sid);
  }

  write(_req: Request, res: Response, result: WechatOAuthResult): void {
    const sid = randomUUID();
    sessions.set(sid, result);
    res.setHeader('Set-Cookie', `sid=${sid}; HttpOnly; Path=/`);
  }
}

@Controller()
class OrdersController {
  @Get('orders')
  @UseGuards(WechatOAuthGuard({ session: TestSession }))
  orders(@WechatOAuthUser() user: WechatOAuthResult) {
    return { openId: user.openId };
  }

  @Get('profile')
  @UseGuards(WechatOAuthGuard({ session: TestSession, scope: 'snsapi_userinfo' }))
  profile(@WechatOAuthUser() user: WechatOAuthResult) {
    return { openId: user.openId, scope: user.scope };
  }
}

let server: WechatApiServer;
const apps: INestApplication<App>[] = [];

async function startInstance(
  keyPrefix: string,
  stateTtlSeconds = 600,
): Promise<INestApplication<App>> {
  @Module({
    imports: [
      WechatModule.forRoot({
        appId: server.appId,
        appSecret: server.appSecret,
        apiBaseUrl: server.url,
        oauthBaseUrl: server.url,
        oauthAllowedReturnOrigins: ['https://m.shop.example'],
        oauthStateTtlSeconds: stateTtlSeconds,
        path: false,
        redis: testRedisClient(),
        keyPrefix,
      }),
    ],
    controllers: [OrdersController],
    providers: [TestSession],
  })
  class HostModule {}
  const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
  const app = moduleRef.createNestApplication<INestApplication<App>>({ logger: false });
  await app.listen(0, '127.0.0.1');
  apps.push(app);
  return app;
}

beforeAll(async () => {
  server = await startWechatApiServer();
});

beforeEach(() => server.reset());

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await closeTestRedisClients();
  await server.close();
});

/** Follows the sandbox's authorize page (snsapi_base: an immediate redirect) to the callback URL. */
async function authorizeThroughSandbox(authorizeUrl: string): Promise<URL> {
  const res = await fetch(authorizeUrl.split('#')[0], { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') as string);
}

describe('WechatOAuthGuard', () => {
  let app: INestApplication<App>;
  let base: string;

  beforeAll(async () => {
    app = await startInstance(`test:${randomUUID()}:`);
    base = await app.getUrl();
  });

  it('redirects an anonymous request to the authorize URL, coming back to the same URL', async () => {
    const res = await request(app.getHttpServer()).get('/orders?id=7');
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    const location = new URL(res.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(`${server.url}/connect/oauth2/authorize`);
    expect(location.hash).toBe('#wechat_redirect');
    expect([...location.searchParams.keys()]).toEqual([
      'appid',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
      'connect_redirect',
    ]);
    expect(location.searchParams.get('appid')).toBe(server.appId);
    expect(location.searchParams.get('redirect_uri')).toBe(`${base}/orders?id=7`);
    expect(location.searchParams.get('response_type')).toBe('code');
    expect(location.searchParams.get('scope')).toBe('snsapi_base');
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9]{41}$/);
    expect(location.searchParams.get('connect_redirect')).toBe('1');
    expect(server.calls(EXCHANGE)).toBe(0);
  });

  it('the whole flow: authorize page → callback → session → the URL without code and state', async () => {
    const first = await fetch(`${base}/orders?id=7`, { redirect: 'manual' });
    const callback = await authorizeThroughSandbox(first.headers.get('location') as string);
    expect(callback.pathname).toBe('/orders');
    expect(callback.searchParams.get('id')).toBe('7');
    const back = await fetch(`${base}${callback.pathname}${callback.search}`, {
      redirect: 'manual',
    });
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/orders?id=7');
    const cookie = (back.headers.get('set-cookie') as string).split(';')[0];
    const page = await fetch(`${base}/orders?id=7`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.json()).toEqual({ openId: SANDBOX_OAUTH_USER.openid });
    expect(server.calls(EXCHANGE)).toBe(1);
  });

  it('snsapi_userinfo: the sandbox asks for consent, then the same flow', async () => {
    const first = await fetch(`${base}/profile`, { redirect: 'manual' });
    const consent = await fetch((first.headers.get('location') as string).split('#')[0]);
    const html = await consent.text();
    const allow = /href="([^"]+)"/.exec(html)?.[1].replace(/&amp;/g, '&') as string;
    const allowed = await fetch(`${server.url}${allow}`, { redirect: 'manual' });
    const callback = new URL(allowed.headers.get('location') as string);
    const back = await fetch(`${base}${callback.pathname}${callback.search}`, {
      redirect: 'manual',
    });
    expect(back.headers.get('location')).toBe('/profile');
    const cookie = (back.headers.get('set-cookie') as string).split(';')[0];
    const page = await fetch(`${base}/profile`, { headers: { cookie } });
    expect(await page.json()).toEqual({
      openId: SANDBOX_OAUTH_USER.openid,
      scope: 'snsapi_userinfo',
    });
  });

  it('a callback with a forged state → 400 before any exchange', async () => {
    const code = server.issueOAuthCode();
    const res = await request(app.getHttpServer()).get(`/orders?code=${code}&state=forged123`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/unknown state/);
    expect(res.text).not.toContain(code);
    expect(server.calls(EXCHANGE)).toBe(0);
  });
});

describe('the same callback replayed across two instances', () => {
  it('4 replays (3 at once on 2 instances, 1 later) → 1 upstream exchange, every one logged in', async () => {
    const keyPrefix = `test:${randomUUID()}:`;
    const [a, b] = [await startInstance(keyPrefix), await startInstance(keyPrefix)];
    const [baseA, baseB] = [await a.getUrl(), await b.getUrl()];
    const first = await fetch(`${baseA}/orders`, { redirect: 'manual' });
    const callback = await authorizeThroughSandbox(first.headers.get('location') as string);
    const path = `${callback.pathname}${callback.search}`;
    server.injectDelay(EXCHANGE, 300); // the first exchange is slow: the others arrive meanwhile
    const replays = await Promise.all([
      fetch(`${baseA}${path}`, { redirect: 'manual' }),
      fetch(`${baseB}${path}`, { redirect: 'manual' }),
      fetch(`${baseB}${path}`, { redirect: 'manual' }),
    ]);
    replays.push(await fetch(`${baseA}${path}`, { redirect: 'manual' }));
    for (const res of replays) {
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/orders');
      const cookie = (res.headers.get('set-cookie') as string).split(';')[0];
      expect(await (await fetch(`${baseB}/orders`, { headers: { cookie } })).json()).toEqual({
        openId: SANDBOX_OAUTH_USER.openid,
      });
    }
    expect(server.calls(EXCHANGE)).toBe(1);
  });
});

describe('WechatOAuthService', () => {
  let oauth: WechatOAuthService;

  beforeAll(async () => {
    const app = await startInstance(`test:${randomUUID()}:`, 1);
    oauth = app.get(WechatOAuthService);
  });

  /** A state issued by the service and the code the sandbox hands back for it. */
  async function issued(
    scope: 'snsapi_base' | 'snsapi_userinfo' = 'snsapi_base',
    returnTo?: string,
  ) {
    const { url, state } = await oauth.createAuthorizeUrl({
      redirectUri: 'https://m.shop.example/cb',
      scope,
      returnTo,
    });
    const callback = await authorizeThroughSandbox(url);
    expect(callback.searchParams.get('state')).toBe(state);
    return { state, code: callback.searchParams.get('code') as string };
  }

  async function stateError(call: Promise<unknown>): Promise<WechatOAuthStateError> {
    try {
      await call;
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(WechatOAuthStateError);
      return error as WechatOAuthStateError;
    }
    throw new Error('expected a WechatOAuthStateError');
  }

  it.each([
    ['https://evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/orders?id=1', '/orders?id=1'],
    ['https://m.shop.example/cart', 'https://m.shop.example/cart'],
  ])('returnTo %p comes back as %p (no open redirect)', async (returnTo, expected) => {
    const { state, code } = await issued('snsapi_base', returnTo);
    expect((await oauth.handleCallback({ code, state })).returnTo).toBe(expected);
  });

  it('a used state with another code → STATE_USED_WITH_ANOTHER_CODE, no second exchange', async () => {
    const { state, code } = await issued();
    await oauth.handleCallback({ code, state });
    const other = server.issueOAuthCode();
    expect((await stateError(oauth.handleCallback({ code: other, state }))).reason).toBe(
      'STATE_USED_WITH_ANOTHER_CODE',
    );
    expect(server.calls(EXCHANGE)).toBe(1);
  });

  it('an unknown state, an expired state and a missing code → 400s by reason, no exchange', async () => {
    const code = server.issueOAuthCode();
    expect((await stateError(oauth.handleCallback({ code, state: 'A'.repeat(41) }))).reason).toBe(
      'UNKNOWN_STATE',
    );
    expect((await stateError(oauth.handleCallback({ code, state: 'bad-state!' }))).reason).toBe(
      'UNKNOWN_STATE',
    );
    const { state } = await issued();
    expect((await stateError(oauth.handleCallback({ state }))).reason).toBe('MISSING_CODE');
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // oauthStateTtlSeconds: 1
    expect((await stateError(oauth.handleCallback({ code, state }))).reason).toBe('EXPIRED_STATE');
    expect(server.calls(EXCHANGE)).toBe(0);
  });

  it('40029 (invalid code): a WechatApiError with a hint, the same error for a replay, 1 upstream call', async () => {
    const errors: WechatApiError[] = [];
    for (let i = 0; i < 2; i += 1) {
      try {
        await oauth.exchangeCode('not-a-code');
      } catch (error: unknown) {
        errors.push(error as WechatApiError);
      }
    }
    expect(errors.map((e) => [e.constructor, e.errcode])).toEqual([
      [WechatApiError, 40029],
      [WechatApiError, 40029],
    ]);
    expect(errors[0].message).toMatch(/Hint: the OAuth code is invalid or expired/);
    expect(errors[0].message).not.toContain('not-a-code');
    expect(server.calls(EXCHANGE)).toBe(1);
  });

  it('a code used outside the service → 40163 with its hint; 10003 has its hint', async () => {
    const code = server.issueOAuthCode();
    await fetch(
      `${server.url}${EXCHANGE}?appid=${server.appId}&secret=${server.appSecret}&code=${code}&grant_type=authorization_code`,
    );
    await expect(oauth.exchangeCode(code)).rejects.toMatchObject({
      errcode: 40163,
      message: expect.stringMatching(/Hint: the OAuth code was already used/),
    });
    server.injectError(EXCHANGE, { errcode: 10003, errmsg: 'redirect_uri domain mismatch' });
    await expect(oauth.exchangeCode(server.issueOAuthCode())).rejects.toMatchObject({
      errcode: 10003,
      message: expect.stringMatching(/web authorization domain/),
    });
  });

  it('user info needs snsapi_userinfo (48001 with its hint otherwise); refresh and validate', async () => {
    server.setOAuthUser({
      ...SANDBOX_OAUTH_USER,
      unionid: 'uUnion0001',
      headimgurl: 'https://thirdwx.qlogo.cn/a/0',
    });
    const base = await oauth.exchangeCode(server.issueOAuthCode('snsapi_base'));
    expect(base).toMatchObject({
      openId: SANDBOX_OAUTH_USER.openid,
      unionId: 'uUnion0001',
      scope: 'snsapi_base',
      isSnapshotUser: false,
      expiresIn: 7200,
    });
    await expect(oauth.getUserInfo(base.accessToken, base.openId)).rejects.toMatchObject({
      errcode: 48001,
      message: expect.stringMatching(/scope \(snsapi_userinfo is needed\)/),
    });
    const full = await oauth.exchangeCode(server.issueOAuthCode('snsapi_userinfo'));
    const info = await oauth.getUserInfo(full.accessToken, full.openId);
    expect(info).toEqual({
      openId: SANDBOX_OAUTH_USER.openid,
      nickname: SANDBOX_OAUTH_USER.nickname,
      headImgUrl: 'https://thirdwx.qlogo.cn/a/0',
      privilege: [],
      unionId: 'uUnion0001',
      raw: expect.objectContaining({ openid: SANDBOX_OAUTH_USER.openid }),
    });
    const refreshed = await oauth.refreshAccessToken(full.refreshToken);
    expect(refreshed.accessToken).not.toBe(full.accessToken);
    expect(await oauth.validateAccessToken(refreshed.accessToken, full.openId)).toBe(true);
    expect(await oauth.validateAccessToken('web_unknown', full.openId)).toBe(false);
  });

  it('is_snapshotuser: 1 → isSnapshotUser (a virtual user of a page snapshot)', async () => {
    server.injectResponse(EXCHANGE, {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        access_token: 'web_x',
        expires_in: 7200,
        refresh_token: 'r',
        openid: 'oSnapshot00001',
        scope: 'snsapi_base',
        is_snapshotuser: 1,
      }),
    });
    const result = await oauth.exchangeCode(server.issueOAuthCode());
    expect(result.isSnapshotUser).toBe(true);
    expect(result.raw.is_snapshotuser).toBe(1);
  });
});
