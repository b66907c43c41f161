import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import request from 'supertest';
import type { App } from 'supertest/types';
import { WechatPushSimulator, type WechatPushMode } from '@app/wechat/testing';
import { clearDemoEnv } from './support/demo-env';
import {
  SANDBOX_APP_SECRET,
  startWechatApiServer,
  type WechatApiServer,
} from '@app/wechat/testing';

// An AppID of its own, so the Redis keys it shares with other suites' apps are its own.
const APP_ID = 'wxde0de0de0de0de01';
const TOKEN = 'demoCallbackToken';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const REDIS_URL = process.env.WECHAT_TEST_REDIS_URL as string;
const WELCOME = 'Welcome! You are now logged in.';
const EXPIRED = 'This login code has expired. Please refresh the page and scan again.';

/**
 * The demo host app exactly as `npm start` runs it (src/app.module.ts), configured through the
 * environment, against a real redis-server and the local WeChat API server.
 */
describe('demo app (src/) end to end', () => {
  let api: WechatApiServer;
  let app: INestApplication<App>;
  let redis: Redis;
  let restoreEnv: () => void = () => undefined;
  const sim = new WechatPushSimulator({
    token: TOKEN,
    appId: APP_ID,
    encodingAESKey: AES_KEY,
    openId: 'o_demo_user_1',
  });

  beforeAll(async () => {
    api = await startWechatApiServer({ appId: APP_ID });
    // Only what this suite sets: none of the developer's WECHAT_* variables.
    restoreEnv = clearDemoEnv();
    Object.assign(process.env, {
      WECHAT_APP_ID: APP_ID,
      WECHAT_APP_SECRET: SANDBOX_APP_SECRET,
      WECHAT_TOKEN: TOKEN,
      WECHAT_ENCODING_AES_KEY: AES_KEY,
      WECHAT_API_BASE_URL: api.url,
      REDIS_URL,
    });
    // The app module reads REDIS_URL when it is loaded, so load it after the environment is set.
    const { AppModule } = await import('../src/app.module');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register()] }).compile();
    app = moduleRef.createNestApplication<INestApplication<App>>({ logger: false });
    await app.init();
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    await app?.close();
    await api?.close();
    redis?.disconnect();
    restoreEnv();
  });

  const http = () => request(app.getHttpServer());
  const push = (signed: { search: string; body: string }) =>
    http().post(`/wechat?${signed.search}`).set('Content-Type', 'text/xml').send(signed.body);

  it('GET /wechat echoes echostr for URL verification', async () => {
    const res = await http().get(`/wechat?${sim.verification('7391846150302618')}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('7391846150302618');
  });

  it('GET /wechat with msg_signature decrypts the echostr', async () => {
    const { MsgCrypt, computeSignature } = await import('@app/wechat');
    const crypt = new MsgCrypt({ token: TOKEN, encodingAESKey: AES_KEY, appId: APP_ID });
    const echostr = crypt.encrypt('5927302216548');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const msgSignature = computeSignature(TOKEN, timestamp, 'n1', echostr);
    const res = await http()
      .get('/wechat')
      .query({ msg_signature: msgSignature, timestamp, nonce: 'n1', echostr });
    expect(res.status).toBe(200);
    expect(res.text).toBe('5927302216548');
  });

  describe.each<WechatPushMode>(['plaintext', 'compatible', 'safe'])('POST in %s mode', (mode) => {
    it('echoes a text message', async () => {
      const res = await push(sim.sign(sim.text(`echo me ${mode} 微信`), mode));
      expect(res.status).toBe(200);
      const reply = await sim.readReply(res.text);
      expect(reply.encrypted).toBe(mode !== 'plaintext');
      expect(reply.fields).toMatchObject({
        ToUserName: 'o_demo_user_1',
        FromUserName: sim.accountId,
        MsgType: 'text',
        Content: `echo me ${mode} 微信`,
      });
    });

    it('completes the login flow with a SCAN (existing follower)', async () => {
      const created = await http().post('/login/qrcode');
      expect(created.status).toBe(201);
      const { scene, ticket, imageUrl, expireSeconds } = created.body as Record<string, string>;
      expect(scene).toMatch(/^login_[0-9a-f]{24}$/);
      expect(expireSeconds).toBe(300);
      expect(imageUrl).toBe(
        `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`,
      );
      expect(api.lastBody('/cgi-bin/qrcode/create')).toEqual({
        expire_seconds: 300,
        action_name: 'QR_STR_SCENE',
        action_info: { scene: { scene_str: scene } },
      });
      expect((await http().get(`/login/qrcode/${scene}`)).body).toEqual({ status: 'pending' });

      api.setUser('o_demo_user_1', { subscribe: 1, nickname: 'Demo', language: 'zh_CN' });
      const res = await push(
        sim.sign(sim.event('SCAN', { EventKey: scene, Ticket: ticket }), mode),
      );
      const reply = await sim.readReply(res.text);
      expect(reply.encrypted).toBe(mode !== 'plaintext');
      expect(reply.fields.Content).toBe(WELCOME);

      const status = await http().get(`/login/qrcode/${scene}`);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        status: 'confirmed',
        openId: 'o_demo_user_1',
        user: { openid: 'o_demo_user_1', nickname: 'Demo', subscribe: 1 },
      });
      // The scene lives in the shared Redis, with the QR code's lifetime plus a grace period.
      const ttl = await redis.pttl(`demo:login:${scene}`);
      expect(ttl).toBeGreaterThan(300_000);
      expect(ttl).toBeLessThanOrEqual(900_000);
    });

    it('completes the login flow with a subscribe (new follower, qrscene_ prefix)', async () => {
      const { scene, ticket } = (await http().post('/login/qrcode')).body as Record<string, string>;
      const res = await push(
        sim.sign(sim.event('subscribe', { EventKey: `qrscene_${scene}`, Ticket: ticket }), mode),
      );
      expect((await sim.readReply(res.text)).fields.Content).toBe(WELCOME);
      expect((await http().get(`/login/qrcode/${scene}`)).body).toMatchObject({
        status: 'confirmed',
        openId: 'o_demo_user_1',
      });
    });
  });

  it('answers a scan of a scene it never issued with the expired text, logging nobody in', async () => {
    const res = await push(sim.sign(sim.event('SCAN', { EventKey: 'login_unknown' }), 'safe'));
    expect((await sim.readReply(res.text)).fields.Content).toBe(EXPIRED);
    expect((await http().get('/login/qrcode/login_unknown')).status).toBe(404);
  });

  it('reports an expired scene as expired', async () => {
    const { scene } = (await http().post('/login/qrcode')).body as Record<string, string>;
    const key = `demo:login:${scene}`;
    const stored = JSON.parse((await redis.get(key)) as string) as Record<string, unknown>;
    await redis.set(key, JSON.stringify({ ...stored, expiresAt: Date.now() - 1 }), 'PX', 60_000);
    expect((await http().get(`/login/qrcode/${scene}`)).body).toEqual({ status: 'expired' });
    const res = await push(sim.sign(sim.event('SCAN', { EventKey: scene }), 'safe'));
    expect((await sim.readReply(res.text)).fields.Content).toBe(EXPIRED);
    expect((await http().get(`/login/qrcode/${scene}`)).body).toEqual({ status: 'expired' });
  });

  it('answers an unsubscribe with success', async () => {
    const res = await push(sim.sign(sim.event('unsubscribe'), 'safe'));
    expect(res.status).toBe(200);
    expect(res.text).toBe('success');
  });

  it('refuses a wrong signature with 403 and a tampered ciphertext with 403', async () => {
    const signed = sim.sign(sim.text('x'), 'safe');
    const wrong = await http()
      .post(
        `/wechat?${signed.search.replace(/signature=[0-9a-f]{40}/, `signature=${'0'.repeat(40)}`)}`,
      )
      .set('Content-Type', 'text/xml')
      .send(signed.body);
    expect(wrong.status).toBe(403);
    const tampered = await push({
      search: signed.search,
      body: signed.body.replace(
        /<Encrypt><!\[CDATA\[(.)/,
        (_m, first: string) => `<Encrypt><![CDATA[${first === 'A' ? 'B' : 'A'}`,
      ),
    });
    expect(tampered.status).toBe(403);
  });

  it('404s an unknown login scene', async () => {
    const res = await http().get('/login/qrcode/login_000000000000000000000000');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, message: 'Unknown login scene' });
  });

  it('shares one access_token through Redis across QR code and user-info calls', async () => {
    expect(api.calls('/cgi-bin/token') + api.calls('/cgi-bin/stable_token')).toBe(1);
    const key = `wechat:{${APP_ID}}:access_token`;
    expect(await redis.get(key)).toBe(api.issuedTokens[0]);
    // 7200 s from WeChat minus the 300 s safety margin.
    expect(await redis.pttl(key)).toBeGreaterThan(6_800_000);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(6_900_000);
  });
});
