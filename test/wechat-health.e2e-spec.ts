// WechatHealthIndicator for @nestjs/terminus: Redis (a real redis-server, stopped and started again),
// in-memory mode, and the access_token (fresh, refreshable, refresh_failed) against the sandbox.
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import Redis from 'ioredis';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  AccessTokenService,
  WechatApiError,
  WechatAccounts,
  WechatHealthIndicator,
  WechatModule,
  type WechatModuleExtras,
  type WechatModuleOptions,
} from '@app/wechat';
import {
  SANDBOX_APP_SECRET,
  startWechatApiServer,
  type WechatApiServer,
} from '@app/wechat/testing';
import { startRedisServer, type RedisServerHandle } from './support/redis-server';

const APP_ID = 'wx4e4e4e4e4e4e4e01';
const TOKEN_PATH = '/cgi-bin/token';

/** The host's own health route, composed as terminus documents it. */
@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly wechat: WechatHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.wechat.isHealthy('wechat')]);
  }
}

describe('WechatHealthIndicator', () => {
  let api: WechatApiServer;
  const apps: INestApplication[] = [];

  type Extra = Partial<WechatModuleOptions> & Partial<WechatModuleExtras>;
  const options = (extra: Extra = {}): WechatModuleOptions & Partial<WechatModuleExtras> => ({
    appId: APP_ID,
    appSecret: SANDBOX_APP_SECRET,
    apiBaseUrl: api.url,
    maxRetries: 0,
    tokenRefusalTtlMs: 0,
    ...extra,
  });

  async function start(extra: Extra = {}): Promise<INestApplication<App>> {
    const app = await NestFactory.create<INestApplication<App>>(
      {
        module: class HealthAppModule {},
        imports: [TerminusModule.forRoot({ logger: false }), WechatModule.forRoot(options(extra))],
        controllers: [HealthController],
      },
      { logger: false },
    );
    await app.init();
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    api = await startWechatApiServer({ appId: APP_ID });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await api.close();
  });

  describe('without Redis', () => {
    let app: INestApplication<App>;

    beforeAll(async () => {
      api.reset();
      app = await start({ path: false });
    });

    it('reports in-memory mode, and the access_token refreshable, then fresh', async () => {
      const indicator = app.get(WechatHealthIndicator);
      expect(await indicator.isHealthy('wechat')).toEqual({
        wechat: {
          status: 'up',
          redis: 'in-memory',
          accounts: { default: { accessToken: 'refreshable' } },
        },
      });
      await app.get(AccessTokenService).getAccessToken();
      expect(await indicator.isHealthy('wechat')).toEqual({
        wechat: {
          status: 'up',
          redis: 'in-memory',
          accounts: { default: { accessToken: 'fresh' } },
        },
      });
    });
  });

  describe('a refresh that fails', () => {
    let app: INestApplication<App>;

    beforeAll(async () => {
      api.reset();
      app = await start({ path: false });
    });

    it('is down, naming the account, with the errcode and no message; up again after a refresh', async () => {
      api.injectError(TOKEN_PATH, {
        errcode: 40164,
        errmsg: 'invalid ip 10.0.0.1, not in whitelist',
      });
      await expect(app.get(AccessTokenService).getAccessToken()).rejects.toBeInstanceOf(
        WechatApiError,
      );
      const indicator = app.get(WechatHealthIndicator);
      const result = await indicator.isHealthy('wechat');
      expect(result).toEqual({
        wechat: {
          status: 'down',
          redis: 'in-memory',
          accounts: {
            default: {
              accessToken: 'refresh_failed',
              lastRefreshError: { type: 'WechatApiError', errcode: 40164, at: expect.any(String) },
            },
          },
          failing: ['accounts.default.accessToken'],
        },
      });
      const at = result.wechat.accounts.default.lastRefreshError?.at ?? '';
      expect(new Date(at).toISOString()).toBe(at);

      const res = await request(app.getHttpServer()).get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        status: 'error',
        error: { wechat: { status: 'down', failing: ['accounts.default.accessToken'] } },
      });
      expect(JSON.stringify(res.body)).not.toContain('whitelist');

      await app.get(AccessTokenService).getAccessToken();
      expect((await indicator.isHealthy('wechat')).wechat).toEqual({
        status: 'up',
        redis: 'in-memory',
        accounts: { default: { accessToken: 'fresh' } },
      });
    });
  });

  describe('several accounts', () => {
    it('reports each account by name; one whose refresh fails makes the result down, naming it', async () => {
      api.reset();
      const app = await start({
        path: false,
        // Its AppID is not the sandbox's: WeChat (the sandbox) refuses its token with 40013.
        accounts: [{ name: 'shop', appId: 'wx5e5e5e5e5e5e5e02', appSecret: 'shop-secret' }],
      });
      await app.get(AccessTokenService).getAccessToken();
      const accounts = app.get(WechatAccounts);
      await expect(accounts.get('shop').tokens.getAccessToken()).rejects.toBeInstanceOf(
        WechatApiError,
      );
      expect(await app.get(WechatHealthIndicator).isHealthy('wechat')).toEqual({
        wechat: {
          status: 'down',
          redis: 'in-memory',
          accounts: {
            default: { accessToken: 'fresh' },
            shop: {
              accessToken: 'refresh_failed',
              lastRefreshError: { type: 'WechatApiError', errcode: 40013, at: expect.any(String) },
            },
          },
          failing: ['accounts.shop.accessToken'],
        },
      });
    });
  });

  describe('with a real redis-server, stopped and started again', () => {
    let server: RedisServerHandle;
    let redis: Redis;
    let app: INestApplication<App>;

    beforeAll(async () => {
      api.reset();
      server = await startRedisServer();
      redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
      app = await start({ redis, path: false });
    });

    afterAll(async () => {
      redis?.disconnect();
      await server?.stop();
    });

    /** Polls the route until it answers `status` (bounded): ioredis reconnects on its own. */
    async function healthUntil(status: number): Promise<request.Response> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const res = await request(app.getHttpServer()).get('/health');
        if (res.status === status || Date.now() > deadline) return res;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    it('is up with Redis answering, down (503) naming redis while it is stopped, up again once it is back', async () => {
      await app.get(AccessTokenService).getAccessToken();
      const up = await request(app.getHttpServer()).get('/health');
      expect(up.status).toBe(200);
      expect(up.body).toEqual({
        status: 'ok',
        info: {
          wechat: { status: 'up', redis: 'up', accounts: { default: { accessToken: 'fresh' } } },
        },
        error: {},
        details: {
          wechat: { status: 'up', redis: 'up', accounts: { default: { accessToken: 'fresh' } } },
        },
      });

      await server.stop();
      const down = await healthUntil(503);
      expect(down.status).toBe(503);
      const wechatDown = {
        status: 'down',
        redis: 'down',
        accounts: { default: { accessToken: 'fresh' } },
        failing: ['redis'],
      };
      expect(down.body).toEqual({
        status: 'error',
        info: {},
        error: { wechat: wechatDown },
        details: { wechat: wechatDown },
      });

      await server.start();
      const back = await healthUntil(200);
      expect(back.status).toBe(200);
      expect(back.body.details).toEqual({
        wechat: { status: 'up', redis: 'up', accounts: { default: { accessToken: 'fresh' } } },
      });
    }, 60_000);
  });
});
