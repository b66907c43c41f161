import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  SANDBOX_APP_SECRET,
  WechatPushSimulator,
  startWechatApiServer,
  type WechatApiServer,
} from '@app/wechat/testing';
import { AppModule } from '../src/app.module';
import { parseWechatAccounts } from '../src/config/wechat-accounts.env';
import {
  SANDBOX_OPEN_ID,
  SANDBOX_SHOP_APP_ID,
  startDemoSandbox,
  type DemoSandbox,
} from '../src/sandbox/demo-sandbox';
import { clearDemoEnv } from './support/demo-env';

const WELCOME = 'Welcome! You are now logged in.';
const EXPIRED = 'This login code has expired. Please refresh the page and scan again.';
const QR_PATH = '/cgi-bin/qrcode/create';

const DEFAULT_APP_ID = 'wxde0de0de0de0de02';
const DEFAULT_TOKEN = 'demoDefaultToken';
const DEFAULT_AES = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const SHOP = {
  name: 'shop',
  appId: 'wx5a5a5a5a5a5a5a5a',
  appSecret: 'shopSecret0123456789',
  token: 'demoShopToken',
  encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
};

describe('demo app with WECHAT_ACCOUNTS (several Official Accounts)', () => {
  let api: WechatApiServer;
  let app: INestApplication<App>;
  let restoreEnv: () => void = () => undefined;
  const defaultSim = new WechatPushSimulator({
    token: DEFAULT_TOKEN,
    appId: DEFAULT_APP_ID,
    encodingAESKey: DEFAULT_AES,
    openId: 'o_demo_user_2',
  });
  const shopSim = new WechatPushSimulator({ ...SHOP, openId: 'o_demo_user_2' });

  beforeAll(async () => {
    restoreEnv = clearDemoEnv();
    api = await startWechatApiServer({
      appId: DEFAULT_APP_ID,
      accounts: [{ appId: SHOP.appId, appSecret: SHOP.appSecret }],
    });
    Object.assign(process.env, {
      WECHAT_APP_ID: DEFAULT_APP_ID,
      WECHAT_APP_SECRET: SANDBOX_APP_SECRET,
      WECHAT_TOKEN: DEFAULT_TOKEN,
      WECHAT_ENCODING_AES_KEY: DEFAULT_AES,
      WECHAT_ACCOUNTS: JSON.stringify([SHOP]),
      WECHAT_API_BASE_URL: api.url,
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register()] }).compile();
    app = moduleRef.createNestApplication<INestApplication<App>>({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await api?.close();
    restoreEnv();
  });

  const http = () => request(app.getHttpServer());

  async function scan(
    sim: WechatPushSimulator,
    path: string,
    scene: string,
  ): Promise<string | undefined> {
    const push = sim.sign(sim.event('SCAN', { EventKey: scene, Ticket: 't' }), 'safe');
    const res = await http()
      .post(`${path}?${push.search}`)
      .set('content-type', 'text/xml')
      .send(push.body);
    expect(res.status).toBe(200);
    const content = (await sim.readReply(res.text)).fields.Content;
    return typeof content === 'string' ? content : undefined;
  }

  it('lists the accounts for the login page', async () => {
    const res = await http().get('/login/accounts');
    expect(res.body).toEqual({ accounts: ['default', 'shop'], defaultAccount: 'default' });
  });

  it('issues a code on ?account=shop; only a scan at the shop confirms it', async () => {
    const created = await http().post('/login/qrcode?account=shop');
    expect(created.status).toBe(201);
    const { scene, account } = created.body as Record<string, string>;
    expect(account).toBe('shop');
    expect(api.callsFor(QR_PATH, SHOP.appId)).toBe(1);
    expect(api.callsFor(QR_PATH, DEFAULT_APP_ID)).toBe(0);
    // The same scene value arriving at the default account does not confirm it.
    expect(await scan(defaultSim, '/wechat', scene)).toBe(EXPIRED);
    expect((await http().get(`/login/qrcode/${scene}`)).body).toEqual({ status: 'pending' });
    expect(await scan(shopSim, '/wechat/shop', scene)).toBe(WELCOME);
    expect((await http().get(`/login/qrcode/${scene}`)).body).toMatchObject({
      status: 'confirmed',
      openId: 'o_demo_user_2',
    });
  });

  it('issues a code on the default account without the parameter', async () => {
    const created = await http().post('/login/qrcode');
    const { scene, account } = created.body as Record<string, string>;
    expect(account).toBe('default');
    expect(api.callsFor(QR_PATH, DEFAULT_APP_ID)).toBe(1);
    expect(await scan(shopSim, '/wechat/shop', scene)).toBe(EXPIRED);
    expect(await scan(defaultSim, '/wechat', scene)).toBe(WELCOME);
  });

  it('404s a code for an unknown account, and a push to it', async () => {
    expect((await http().post('/login/qrcode?account=nobody')).status).toBe(404);
    const push = shopSim.sign(shopSim.text('x'), 'safe');
    const res = await http()
      .post(`/wechat/nobody?${push.search}`)
      .set('content-type', 'text/xml')
      .send(push.body);
    expect(res.status).toBe(404);
  });
});

describe('demo sandbox with two accounts', () => {
  let sandbox: DemoSandbox;
  let app: INestApplication<App>;
  let restoreEnv: () => void = () => undefined;

  beforeAll(async () => {
    restoreEnv = clearDemoEnv();
    sandbox = (await startDemoSandbox()) as DemoSandbox;
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.register({ sandbox })],
    }).compile();
    app = moduleRef.createNestApplication<INestApplication<App>>({ logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    restoreEnv();
  });

  it('runs the accounts default and shop; a simulated scan at the shop confirms a shop code', async () => {
    const server = app.getHttpServer();
    expect((await request(server).get('/login/accounts')).body).toEqual({
      accounts: ['default', 'shop'],
      defaultAccount: 'default',
    });
    const { scene } = (await request(server).post('/login/qrcode?account=shop')).body as {
      scene: string;
    };
    expect(sandbox.api.callsFor(QR_PATH, SANDBOX_SHOP_APP_ID)).toBe(1);
    const atDefault = await request(server).post('/sandbox/scan').send({ scene });
    expect(atDefault.body).toEqual({ status: 200, encrypted: true, reply: EXPIRED });
    const atShop = await request(server).post('/sandbox/scan').send({ scene, account: 'shop' });
    expect(atShop.body).toEqual({ status: 200, encrypted: true, reply: WELCOME });
    expect((await request(server).get(`/login/qrcode/${scene}`)).body).toMatchObject({
      status: 'confirmed',
      openId: SANDBOX_OPEN_ID,
    });
    const unknown = await request(server).post('/sandbox/scan').send({ scene, account: 'x' });
    expect(unknown.status).toBe(404);
  });
});

describe('WECHAT_ACCOUNTS parsing', () => {
  it('reads a JSON array of accounts, dropping empty fields', () => {
    expect(
      parseWechatAccounts(
        '[{"name":"a","appId":"wx1","appSecret":"s","token":"t","encodingAESKey":""}]',
      ),
    ).toEqual([{ name: 'a', appId: 'wx1', appSecret: 's', token: 't' }]);
    expect(parseWechatAccounts(undefined)).toBeUndefined();
    expect(parseWechatAccounts(' ')).toBeUndefined();
  });

  it('says what is wrong without repeating the value', () => {
    expect(() => parseWechatAccounts('{secret')).toThrow(
      'WECHAT_ACCOUNTS must be a JSON array of { name, appId, appSecret, token, encodingAESKey? } (it is not valid JSON)',
    );
    expect(() => parseWechatAccounts('{"a":1}')).toThrow('WECHAT_ACCOUNTS must be a JSON array');
    expect(() => parseWechatAccounts('[1]')).toThrow('WECHAT_ACCOUNTS[0] must be an object');
  });
});
