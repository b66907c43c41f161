import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  AccessTokenService,
  MsgCryptService,
  OnWechatMessage,
  WechatAccountNotFoundError,
  WechatAccounts,
  WechatClientService,
  WechatConfigError,
  WechatModule,
  type WechatAccountOptions,
  type WechatModuleOptions,
} from '@app/wechat';
import { WechatPushSimulator } from '@app/wechat/testing';
import {
  AccountConsumer,
  AccountConsumerModule,
  AccountHandlers,
  AccountHandlersModule,
} from './fixtures/account-handlers.fixture';
import { HTTP_ADAPTERS, initApp, type HttpAdapterName } from './support/http-adapters';

const DEFAULT_ACCOUNT = {
  appId: 'wx1111111111111111',
  appSecret: 'default-secret',
  token: 'defaultToken1',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const SHOP: WechatAccountOptions = {
  name: 'shop',
  appId: 'wx2222222222222222',
  appSecret: 'shop-secret',
  token: 'shopToken2',
  encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
};
const NEWS: WechatAccountOptions = {
  name: 'news',
  appId: 'wx3333333333333333',
  appSecret: 'news-secret',
  token: 'newsToken3',
};

const defaultSim = new WechatPushSimulator({ ...DEFAULT_ACCOUNT, openId: 'o_default_user' });
const shopSim = new WechatPushSimulator({
  token: SHOP.token as string,
  appId: SHOP.appId,
  encodingAESKey: SHOP.encodingAESKey,
  openId: 'o_shop_user',
});

async function createApp(
  adapter: HttpAdapterName,
  options: WechatModuleOptions,
): Promise<INestApplication<App>> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      WechatModule.forRoot({ ...options, isGlobal: true }),
      AccountHandlersModule,
      AccountConsumerModule,
    ],
  }).compile();
  return initApp(moduleRef, adapter);
}

describe.each(HTTP_ADAPTERS)('Two accounts in one app on %s', (adapter) => {
  let app: INestApplication<App>;
  let handlers: AccountHandlers;
  let base: string;

  beforeAll(async () => {
    app = await createApp(adapter, { ...DEFAULT_ACCOUNT, accounts: [SHOP] });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    handlers = app.get(AccountHandlers);
  });
  afterAll(() => app.close());
  beforeEach(() => handlers.runs.splice(0));

  it('routes a push to /wechat/shop to the shop handlers, encrypted with the shop key', async () => {
    const delivery = await shopSim.deliver(`${base}/wechat/shop`, shopSim.text('hi'), 'safe');
    expect(delivery.status).toBe(200);
    expect(delivery.reply?.encrypted).toBe(true);
    expect(delivery.reply?.fields.Content).toBe('shop:hi');
    expect(handlers.runs).toEqual([
      { handler: 'everyText', account: 'shop', appId: SHOP.appId },
      { handler: 'shopText', account: 'shop', appId: SHOP.appId },
    ]);
  });

  it('routes a push to /wechat to the default account, and /wechat/default too', async () => {
    for (const path of ['/wechat', '/wechat/default']) {
      const delivery = await defaultSim.deliver(`${base}${path}`, defaultSim.text('yo'), 'safe');
      expect(delivery.status).toBe(200);
      expect(delivery.reply?.fields.Content).toBe('default:yo');
    }
    expect(handlers.runs).toEqual(
      [1, 2].flatMap(() => [
        { handler: 'everyText', account: 'default', appId: DEFAULT_ACCOUNT.appId },
        { handler: 'defaultText', account: 'default', appId: DEFAULT_ACCOUNT.appId },
      ]),
    );
  });

  it('runs filtered event handlers and fallbacks only for their account', async () => {
    const shop = await shopSim.deliver(`${base}/wechat/shop`, shopSim.event('subscribe'), 'safe');
    expect(shop.reply?.fields.Content).toBe('welcome to the shop');
    const other = await defaultSim.deliver(`${base}/wechat`, defaultSim.event('subscribe'), 'safe');
    // No subscribe handler for default: its fallback answers.
    expect(other.reply?.fields.Content).toBe('default fallback');
    const shopImage = await shopSim.deliver(
      `${base}/wechat/shop`,
      shopSim.header('image', { PicUrl: 'http://x/y.png', MediaId: 'm', MsgId: '77' }),
      'safe',
    );
    // The shop has no fallback: success, and nothing ran.
    expect(shopImage.reply?.xml).toBe('success');
    expect(handlers.runs.map((run) => `${run.handler}@${run.account}`)).toEqual([
      'shopSubscribe@shop',
      'defaultFallback@default',
    ]);
  });

  it('refuses a push signed for one account on the other one’s path; no handler runs', async () => {
    // Signed with the default Token, sent to the shop.
    const signedForDefault = await defaultSim.deliver(
      `${base}/wechat/shop`,
      defaultSim.text('x'),
      'plaintext',
    );
    expect(signedForDefault.status).toBe(403);
    const safeForShop = await shopSim.deliver(`${base}/wechat`, shopSim.text('x'), 'safe');
    expect(safeForShop.status).toBe(403);
    expect(handlers.runs).toEqual([]);
  });

  it('refuses a push encrypted with another account’s key even when signed with the right Token', async () => {
    // The shop's Token, the default account's key: the shop cannot decrypt it.
    const mixed = new WechatPushSimulator({
      token: SHOP.token as string,
      appId: DEFAULT_ACCOUNT.appId,
      encodingAESKey: DEFAULT_ACCOUNT.encodingAESKey,
    });
    const delivery = await mixed.deliver(`${base}/wechat/shop`, mixed.text('x'), 'safe');
    expect(delivery.status).toBe(400);
    expect(handlers.runs).toEqual([]);
  });

  it('answers 404 for an unknown account before any signature check', async () => {
    const unsigned = await request(app.getHttpServer())
      .post('/wechat/nobody')
      .set('content-type', 'text/xml')
      .send('<xml></xml>');
    expect(unsigned.status).toBe(404);
    const verify = await request(app.getHttpServer()).get('/wechat/nobody?echostr=1');
    expect(verify.status).toBe(404);
    const signed = await shopSim.deliver(`${base}/wechat/nobody`, shopSim.text('x'), 'safe');
    expect(signed.status).toBe(404);
    expect(handlers.runs).toEqual([]);
  });

  it('de-duplicates per account: one MsgId at two accounts is two pushes', async () => {
    const msgId = '88000000000000001';
    const shop = await shopSim.deliver(
      `${base}/wechat/shop`,
      shopSim.text('same', { MsgId: msgId }),
      'safe',
    );
    const other = await defaultSim.deliver(
      `${base}/wechat`,
      defaultSim.text('same', { MsgId: msgId }),
      'safe',
    );
    expect(shop.reply?.fields.Content).toBe('shop:same');
    expect(other.reply?.fields.Content).toBe('default:same');
    // A retry at the shop is still recognised as one.
    const retry = await shopSim.deliver(
      `${base}/wechat/shop`,
      shopSim.text('same', { MsgId: msgId }),
      'safe',
    );
    expect(retry.reply?.fields.Content).toBe('shop:same');
    expect(handlers.runsOf('shopText')).toHaveLength(1);
    expect(handlers.runsOf('defaultText')).toHaveLength(1);
  });

  it('applies the body limit on an account path too (413), after its signature', async () => {
    const push = shopSim.sign(shopSim.text('x'));
    const res = await request(app.getHttpServer())
      .post(`/wechat/shop?${push.search}`)
      .set('content-type', 'text/xml')
      .send(`<xml>${'a'.repeat(70_000)}</xml>`);
    expect(res.status).toBe(413);
    expect(handlers.runs).toEqual([]);
  });

  it('verifies the URL of each account with its own Token', async () => {
    const push = shopSim.sign(shopSim.text('x'));
    const query = { ...push.query, echostr: 'echo-shop' };
    const ok = await request(app.getHttpServer()).get('/wechat/shop').query(query);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('echo-shop');
    const wrong = await request(app.getHttpServer()).get('/wechat').query(query);
    expect(wrong.status).toBe(403);
  });

  it('the simulator targets an account of the app', async () => {
    const sim = WechatPushSimulator.fromApp(app, { account: 'shop' });
    const delivery = await sim.deliver(`${base}/wechat/shop`, sim.text('kit'), 'safe');
    expect(delivery.reply?.fields.Content).toBe('shop:kit');
    expect(() => WechatPushSimulator.fromApp(app, { account: 'nobody' })).toThrow(
      'the app has no account "nobody"',
    );
  });

  it('injects each account’s services by name, and the default account’s unnamed', () => {
    const consumer = app.get(AccountConsumer);
    const accounts = app.get(WechatAccounts);
    expect(consumer.shopClient.appId).toBe(SHOP.appId);
    expect(consumer.shopClient).toBe(accounts.get('shop').client);
    expect(consumer.shopTokens).toBe(accounts.get('shop').tokens);
    expect(consumer.shopCrypt).toBe(accounts.get('shop').crypt);
    expect(consumer.defaultClient.appId).toBe(DEFAULT_ACCOUNT.appId);
    expect(consumer.namedDefaultClient).toBe(consumer.defaultClient);
    expect(app.get(WechatClientService)).toBe(consumer.defaultClient);
    expect(app.get(AccessTokenService)).toBe(accounts.get('default').tokens);
    expect(app.get(MsgCryptService)).toBe(accounts.get('default').crypt);
  });

  it('WechatAccounts.get finds an account by name or AppID; an unknown one is a typed error', () => {
    const accounts = app.get(WechatAccounts);
    expect(accounts.get(SHOP.appId)).toBe(accounts.get('shop'));
    expect(accounts.get('shop').name).toBe('shop');
    expect(accounts.names()).toEqual(['default', 'shop']);
    expect(() => accounts.get('nobody')).toThrow(WechatAccountNotFoundError);
    expect(() => accounts.get('nobody')).toThrow(
      'No WeChat account is registered under the name or AppID "nobody".',
    );
  });

  it('serves an account registered at run time, and 404 once it is unregistered', async () => {
    const accounts = app.get(WechatAccounts);
    const news = accounts.register(NEWS);
    expect(accounts.get('news')).toBe(news);
    const sim = new WechatPushSimulator({ token: NEWS.token as string, appId: NEWS.appId });
    const delivery = await sim.deliver(`${base}/wechat/news`, sim.text('n'));
    expect(delivery.status).toBe(200);
    expect(handlers.runs).toEqual([{ handler: 'everyText', account: 'news', appId: NEWS.appId }]);
    expect(() => accounts.register(NEWS)).toThrow('two accounts are named "news"');
    expect(() => accounts.register({ ...NEWS, name: 'news2' })).toThrow(
      'accounts "news" and "news2" have the same AppID',
    );
    expect(() => accounts.register({ ...NEWS, name: 'news2', appId: 'wx4', token: '!' })).toThrow(
      'account "news2": "token" must be 3-32 letters or digits',
    );
    expect(accounts.unregister('news')).toBe(true);
    expect(accounts.unregister('news')).toBe(false);
    const gone = await sim.deliver(`${base}/wechat/news`, sim.text('n'));
    expect(gone.status).toBe(404);
    expect(() => accounts.unregister('default')).toThrow(WechatConfigError);
  });
});

describe('The account loader (resolveAccount)', () => {
  let app: INestApplication<App>;
  let base: string;
  const asked: string[] = [];
  const loaded = new Map<string, WechatAccountOptions>([['news', NEWS]]);
  const newsSim = new WechatPushSimulator({ token: NEWS.token as string, appId: NEWS.appId });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({
          accounts: [
            SHOP,
            { name: 'blog', appId: 'wx5555555555555555', appSecret: 's', token: 'blogToken' },
          ],
          resolveAccount: async (name) => {
            asked.push(name);
            await Promise.resolve(); // as a database lookup would
            if (name === 'broken') throw new Error('database down');
            if (name === 'wrong') return { ...NEWS, name: 'other', appId: 'wx9' };
            return loaded.get(name);
          },
        }),
        AccountHandlersModule,
      ],
    }).compile();
    app = await initApp(moduleRef, 'express');
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app.close());
  beforeEach(() => asked.splice(0));

  it('loads an unknown account on its first push, once, and serves it', async () => {
    const [first, second] = await Promise.all([
      newsSim.deliver(`${base}/wechat/news`, newsSim.text('a')),
      newsSim.deliver(`${base}/wechat/news`, newsSim.text('b')),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(asked).toEqual(['news']);
    const third = await newsSim.deliver(`${base}/wechat/news`, newsSim.text('c'));
    expect(third.status).toBe(200);
    expect(asked).toEqual(['news']);
    expect(app.get(WechatAccounts).get(NEWS.appId).name).toBe('news');
  });

  it('answers 404 when the loader knows nothing, throws or returns another account; no crash', async () => {
    for (const name of ['nobody', 'broken', 'wrong']) {
      const delivery = await newsSim.deliver(`${base}/wechat/${name}`, newsSim.text('x'));
      expect(delivery.status).toBe(404);
    }
    expect(asked).toEqual(['nobody', 'broken', 'wrong']);
    // A miss is remembered: the loader is not asked again within accountMissTtlMs.
    const again = await newsSim.deliver(`${base}/wechat/broken`, newsSim.text('x'));
    expect(again.status).toBe(404);
    expect(asked).toEqual(['nobody', 'broken', 'wrong']);
    expect(app.get(WechatAccounts).resolve('nobody')).toBeUndefined();
  });

  it('with no default account, the bare path is 404', async () => {
    const sim = WechatPushSimulator.fromApp(app, { account: 'shop' });
    const delivery = await sim.deliver(`${base}/wechat`, sim.text('x'), 'safe');
    expect(delivery.status).toBe(404);
  });
});

describe('Boot validation of several accounts', () => {
  async function boot(
    options: WechatModuleOptions,
    providers: Array<new (...args: never[]) => unknown> = [],
  ): Promise<unknown> {
    const moduleRef = await Test.createTestingModule({
      imports: [WechatModule.forRoot(options)],
      providers,
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
      return undefined;
    } catch (error: unknown) {
      return error;
    } finally {
      await app.close();
    }
  }

  async function bootError(
    options: WechatModuleOptions,
    providers: Array<new (...args: never[]) => unknown> = [],
  ): Promise<Error> {
    const error = await boot(options, providers).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatConfigError);
    return error as Error;
  }

  const cases: Array<[string, WechatModuleOptions, string]> = [
    [
      'duplicate names',
      { accounts: [SHOP, { ...NEWS, name: 'shop' }] },
      'Invalid WechatModule configuration: two accounts are named "shop": account names must be unique.',
    ],
    [
      'duplicate AppIDs',
      { accounts: [SHOP, { ...NEWS, appId: SHOP.appId }] },
      'Invalid WechatModule configuration: accounts "shop" and "news" have the same AppID: each Official Account may be configured once.',
    ],
    [
      'the top-level account and an account named default',
      { ...DEFAULT_ACCOUNT, accounts: [{ ...SHOP, name: 'default' }] },
      'Invalid WechatModule configuration: two accounts are named "default": account names must be unique.',
    ],
    [
      'a name that is not URL-safe',
      { accounts: [{ ...SHOP, name: 'my shop/1' }] },
      'Invalid WechatModule configuration: account name "my shop/1" is not URL-safe: use 1-64 letters, digits, _ or - (it is a path segment of the callback).',
    ],
    [
      'a missing name',
      { accounts: [{ ...SHOP, name: '' }] },
      'Invalid WechatModule configuration: accounts[0] has no "name": give every account a URL-safe name (1-64 letters, digits, _ or -).',
    ],
    [
      "an account's own mistake, named",
      { accounts: [SHOP, { ...NEWS, token: undefined }] },
      'Invalid WechatModule configuration: account "news": "token" is missing',
    ],
    [
      'an unknown defaultAccount',
      { accounts: [SHOP, NEWS], defaultAccount: 'blog' },
      'Invalid WechatModule configuration: "defaultAccount" is "blog", which is not a configured account ("shop", "news").',
    ],
    [
      'no account at all',
      { accounts: [] },
      'Invalid WechatModule configuration: "accounts" is empty: configure at least one account, or a "resolveAccount" loader.',
    ],
  ];

  it.each(cases)('%s → WechatConfigError', async (_name, options, message) => {
    const error = await bootError(options);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('secret');
  });

  it('a handler filtered to an unknown account → WechatConfigError naming it', async () => {
    @Injectable()
    class BlogHandlers {
      @OnWechatMessage('text', { account: 'blog' })
      text(): string {
        return 'x';
      }
    }
    const error = await bootError({ accounts: [SHOP, NEWS] }, [BlogHandlers]);
    expect(error.message).toBe(
      'Invalid WechatModule configuration: handler BlogHandlers.text is filtered to account "blog", which is not configured ("shop", "news").',
    );
  });

  it('injecting an unnamed service with several accounts and no default → WechatConfigError that says so', async () => {
    @Injectable()
    class NeedsDefault {
      constructor(readonly client: WechatClientService) {}
    }
    const error = await bootError({ accounts: [SHOP, NEWS] }, [NeedsDefault]);
    expect(error.message).toBe(
      `Invalid WechatModule configuration: NeedsDefault injects WechatClientService means the default account, but 2 accounts are configured ("shop", "news") and none is the default: set "defaultAccount", or inject one by name (@InjectWechatClient('name'), @InjectAccessTokenService('name'), @InjectMsgCryptService('name')).`,
    );
    // With a default account it boots.
    expect(
      await boot({ accounts: [SHOP, NEWS], defaultAccount: 'news' }, [NeedsDefault]),
    ).toBeUndefined();
  });

  it('injecting a named service of an unknown account → WechatConfigError naming it', async () => {
    const error = await bootError({ accounts: [NEWS] }, [AccountConsumer]);
    expect(error.message).toBe(
      'Invalid WechatModule configuration: AccountConsumer: the WechatClientService of account "shop" is injected, but no account of that name is configured ("news").',
    );
  });

  it('forRootAsync takes the accounts from a factory (e.g. a database), with named injection', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRootAsync({
          isGlobal: true,
          useFactory: async () => {
            await Promise.resolve(); // as a database query would
            return { ...DEFAULT_ACCOUNT, accounts: [SHOP] };
          },
        }),
        AccountConsumerModule,
      ],
    }).compile();
    const consumer = moduleRef.get(AccountConsumer);
    expect(consumer.shopClient.appId).toBe(SHOP.appId);
    expect(consumer.defaultClient.appId).toBe(DEFAULT_ACCOUNT.appId);
    await moduleRef.close();
  });

  it('the single-account options are one account named default', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WechatModule.forRoot({ ...DEFAULT_ACCOUNT })],
    }).compile();
    const accounts = moduleRef.get(WechatAccounts);
    expect(accounts.names()).toEqual(['default']);
    expect(accounts.defaultAccount?.appId).toBe(DEFAULT_ACCOUNT.appId);
    expect(moduleRef.get(WechatClientService)).toBe(accounts.get('default').client);
    await moduleRef.close();
  });
});
