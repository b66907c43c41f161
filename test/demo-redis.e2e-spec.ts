// The demo's Redis contract (kept stable; external checks rely on it): REDIS_CLUSTER_NODES makes it
// use an ioredis Cluster, REDIS_SENTINELS (+ REDIS_SENTINEL_NAME) a Sentinel-managed primary.
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis, { Cluster } from 'ioredis';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  SANDBOX_APP_SECRET,
  WechatPushSimulator,
  startWechatApiServer,
  type WechatApiServer,
} from '@app/wechat/testing';
import { clearDemoEnv } from './support/demo-env';
import { startRedisCluster, type RedisClusterHandle } from './support/redis-cluster';
import { startRedisSentinel, type RedisSentinelHandle } from './support/redis-sentinel';

const APP_ID = 'wxde0de0de0de0de02';
const TOKEN = 'demoCallbackToken';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const WELCOME = 'Welcome! You are now logged in.';

let api: WechatApiServer;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = clearDemoEnv();
  api = await startWechatApiServer({ appId: APP_ID });
});

afterAll(async () => {
  await api.close();
  restoreEnv();
});

/** Boots the demo as `npm start` does, with the given Redis variables; returns the app. */
async function bootDemo(redisEnv: Record<string, string>): Promise<INestApplication<App>> {
  clearDemoEnv();
  Object.assign(process.env, {
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: SANDBOX_APP_SECRET,
    WECHAT_TOKEN: TOKEN,
    WECHAT_ENCODING_AES_KEY: AES_KEY,
    WECHAT_API_BASE_URL: api.url,
    ...redisEnv,
  });
  const { AppModule } = await import('../src/app.module');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register()] }).compile();
  const app = moduleRef.createNestApplication<INestApplication<App>>({ logger: false });
  await app.init();
  return app;
}

/** A QR login confirmed by a safe-mode SCAN push: the scene lives in the demo's Redis. */
async function loginThroughScan(app: INestApplication<App>): Promise<string> {
  const http = () => request(app.getHttpServer());
  const sim = new WechatPushSimulator({
    token: TOKEN,
    appId: APP_ID,
    encodingAESKey: AES_KEY,
    openId: 'o_demo_redis_1',
  });
  const created = await http().post('/login/qrcode');
  expect(created.status).toBe(201);
  const { scene, ticket } = created.body as Record<string, string>;
  const signed = sim.sign(sim.event('SCAN', { EventKey: scene, Ticket: ticket }), 'safe');
  const res = await http()
    .post(`/wechat?${signed.search}`)
    .set('Content-Type', 'text/xml')
    .send(signed.body);
  expect((await sim.readReply(res.text)).fields.Content).toBe(WELCOME);
  expect((await http().get(`/login/qrcode/${scene}`)).body).toMatchObject({
    status: 'confirmed',
  });
  return scene;
}

describe('REDIS_CLUSTER_NODES: an ioredis Cluster', () => {
  let cluster: RedisClusterHandle;
  let app: INestApplication<App> | undefined;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    client = new Cluster([...cluster.startupNodes]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    client.disconnect();
    await cluster.stop();
  });

  it('keeps login scenes and the access_token in the cluster', async () => {
    api.reset();
    app = await bootDemo({
      REDIS_CLUSTER_NODES: cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(','),
    });
    const scene = await loginThroughScan(app);
    expect(await client.get(`demo:login:${scene}`)).toContain('"openId":"o_demo_redis_1"');
    expect(await client.get(`wechat:{${APP_ID}}:access_token`)).toBe(api.issuedTokens[0]);
    expect(api.calls('/cgi-bin/token')).toBe(1);
  });
});

describe('REDIS_SENTINELS + REDIS_SENTINEL_NAME: a Sentinel-managed primary', () => {
  let sentinel: RedisSentinelHandle;
  let app: INestApplication<App> | undefined;
  let primary: Redis;

  beforeAll(async () => {
    sentinel = await startRedisSentinel('demoprimary');
    primary = new Redis(sentinel.primary.url);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    primary.disconnect();
    await sentinel.stop();
  });

  it('finds the primary through the sentinel and keeps scenes and the token there', async () => {
    api.reset();
    app = await bootDemo({
      REDIS_SENTINELS: sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(','),
      REDIS_SENTINEL_NAME: 'demoprimary',
    });
    const scene = await loginThroughScan(app);
    expect(await primary.get(`demo:login:${scene}`)).toContain('"openId":"o_demo_redis_1"');
    expect(await primary.get(`wechat:{${APP_ID}}:access_token`)).toBe(api.issuedTokens[0]);
  });
});
