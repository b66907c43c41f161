import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import {
  MemoryAccessTokenStore,
  WechatAccounts,
  WechatConfigError,
  WechatMenuAsCode,
  WechatMenuSync,
  WechatModule,
  resolveWechatOptions,
  sameMenu,
  type WechatMenu,
} from '@app/wechat';
import { startWechatApiServer, type WechatApiServer } from '@app/wechat/testing';
import { captureOutput } from './support/token-log-capture';
import { startMenuInstancesTogether } from './support/menu-instances';

const CREATE = '/cgi-bin/menu/create';
const GET = '/cgi-bin/menu/get';

const MENU: WechatMenu = {
  button: [
    { type: 'click', name: '今日歌曲', key: 'V1001_TODAY_MUSIC' },
    {
      name: '菜单',
      sub_button: [
        { type: 'view', name: '搜索', url: 'https://www.soso.com/' },
        { type: 'click', name: '赞一下我们', key: 'V1001_GOOD' },
      ],
    },
  ],
};

let server: WechatApiServer;
const output = captureOutput();

beforeAll(async () => {
  server = await startWechatApiServer();
});
beforeEach(() => server.reset());
afterAll(async () => {
  await server.close();
  output.restore();
});

function options(keyPrefix = `menu:${randomUUID()}:`) {
  return {
    appId: server.appId,
    appSecret: server.appSecret,
    apiBaseUrl: server.url,
    keyPrefix,
    lockPollIntervalMs: 20,
    menu: MENU,
  };
}

const created = (text: string): number => text.split('created it').length - 1;
const upToDate = (text: string): number => text.split('WeChat menu is up to date').length - 1;

describe('menus as code, across processes (Redis lock)', () => {
  it('3 instances starting together create the menu once; 3 more find it unchanged', async () => {
    const redisUrl = process.env.WECHAT_TEST_REDIS_URL as string;
    const config = { redisUrl, options: options() };
    server.injectDelay(GET, 500);
    const first = await startMenuInstancesTogether(3, config);
    const all = first.map((run) => run.output).join('\n');
    expect(server.calls(CREATE)).toBe(1);
    expect(server.calls(GET)).toBe(3);
    expect(server.menus.menu).toEqual(MENU.button);
    expect(created(all)).toBe(1);
    expect(upToDate(all)).toBe(2);
    expect(all).toContain('WeChat menu was absent: created it (2 buttons).');

    const second = await startMenuInstancesTogether(3, config);
    const again = second.map((run) => run.output).join('\n');
    expect(server.calls(CREATE)).toBe(1);
    expect(server.calls(GET)).toBe(6);
    expect(upToDate(again)).toBe(3);
    expect(created(again)).toBe(0);
    for (const token of server.issuedTokens) expect(all + again).not.toContain(token);
    expect(all + again).not.toContain(server.appSecret);
  }, 120_000);
});

describe('menus as code, in one process', () => {
  async function boot(extra: Record<string, unknown> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [WechatModule.forRoot({ ...options(), path: false, ...extra })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: ['log', 'warn', 'error'] });
    await app.init();
    return app;
  }

  it('a menu changed in the console is replaced; an equal one (other key order, empty sub_button) is left alone', async () => {
    server.setMenu([{ type: 'click', name: '旧菜单', key: 'OLD' }]);
    const app = await boot();
    expect(server.calls(CREATE)).toBe(1);
    expect(server.menus.menu).toEqual(MENU.button);
    expect(app.get(WechatMenuAsCode).lastOutcome).toBe('created');
    server.setMenu([
      { key: 'V1001_TODAY_MUSIC', name: '今日歌曲', type: 'click', sub_button: [] },
      {
        sub_button: [
          { url: 'https://www.soso.com/', type: 'view', name: '搜索', sub_button: [] },
          { name: '赞一下我们', key: 'V1001_GOOD', type: 'click' },
        ],
        name: '菜单',
      },
    ]);
    await expect(app.get(WechatMenuAsCode).apply()).resolves.toBe('unchanged');
    expect(server.calls(CREATE)).toBe(1);
    await app.close();
  });

  it('WeChat refusing (48001) is logged with its hint and the app starts anyway', async () => {
    server.injectError(GET, { errcode: 48001, errmsg: 'api unauthorized' });
    const app = await boot();
    expect(app.get(WechatMenuAsCode).lastOutcome).toBe('failed');
    expect(server.calls(CREATE)).toBe(0);
    expect(output.text()).toMatch(
      /WeChat menu of account "default" not applied: WeChat API \/cgi-bin\/menu\/get failed with errcode 48001: api unauthorized rid: \S+ Hint: this account is not authorized for this API/,
    );
    await app.close();
  });

  it('without a menu option nothing is called', async () => {
    const app = await boot({ menu: undefined });
    expect(server.calls(GET)).toBe(0);
    await expect(app.get(WechatMenuAsCode).apply()).resolves.toBeUndefined();
    await app.close();
  });

  it('an instance that cannot get the lock within lockWaitMs skips and says so', async () => {
    const store = new MemoryAccessTokenStore();
    const prefix = `menu:${randomUUID()}:`;
    await store.tryLock(`${prefix}{${server.appId}}:menu_lock`, 'someone-else', 60_000);
    const lines: string[] = [];
    const sync = new WechatMenuSync(
      {} as never,
      store,
      {
        lockKey: `${prefix}{${server.appId}}:menu_lock`,
        lockTtlMs: 1000,
        lockPollIntervalMs: 10,
        lockWaitMs: 50,
      },
      { log: (m) => lines.push(m), warn: (m) => lines.push(m) },
    );
    await expect(sync.apply(MENU)).resolves.toBe('skipped');
    expect(lines).toEqual([
      `WeChat menu not checked: another instance held ${prefix}{${server.appId}}:menu_lock for more than 50 ms.`,
    ]);
    expect(server.calls()).toBe(0);
  });

  it('a menu WeChat would refuse is a WechatConfigError at boot, naming the field', () => {
    expect(() =>
      resolveWechatOptions(
        { ...options(), menu: { button: [{ type: 'click', name: '一二三四五六', key: 'k' }] } },
        false,
      ),
    ).toThrow(
      new WechatConfigError(
        '"menu" would be refused by WeChat: Invalid button[0].name: must be 1 to 16 bytes in UTF-8 (got 18).',
      ),
    );
  });

  it('sameMenu ignores key order and empty sub_button lists, not values', () => {
    expect(
      sameMenu(MENU, {
        button: [{ key: 'V1001_TODAY_MUSIC', type: 'click', name: '今日歌曲' }, MENU.button[1]],
      }),
    ).toBe(true);
    expect(
      sameMenu(MENU, {
        button: [{ type: 'click', name: '今日歌曲', key: 'OTHER' }, MENU.button[1]],
      }),
    ).toBe(false);
  });
});

describe('the API domains per account (several Official Accounts)', () => {
  it("each account's client has its own domains, token and menu sync", async () => {
    const shop = { appId: 'wx5555555555555551', appSecret: 'shopSecret0123456789abcdefABCDEF' };
    const multi = await startWechatApiServer({ accounts: [shop] });
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [
          WechatModule.forRoot({
            apiBaseUrl: multi.url,
            keyPrefix: `menu:${randomUUID()}:`,
            path: false,
            menu: MENU,
            accounts: [
              { name: 'default', appId: multi.appId, appSecret: multi.appSecret },
              { name: 'shop', ...shop },
            ],
          }),
        ],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: ['error'] });
      await app.init();
      const sync = app.get(WechatMenuAsCode);
      expect([...sync.outcomes.entries()]).toEqual([
        ['default', 'created'],
        ['shop', 'unchanged'], // the stand-in keeps one menu for all the AppIDs it serves
      ]);
      const accounts = app.get(WechatAccounts);
      await accounts.get('shop').client.tags.create('VIP');
      const shopToken = multi.lastQuery('/cgi-bin/tags/create')?.access_token;
      await accounts.get('default').client.tags.list();
      const defaultToken = multi.lastQuery('/cgi-bin/tags/get')?.access_token;
      expect(shopToken).toBe(await accounts.get('shop').tokens.getAccessToken());
      expect(defaultToken).toBe(await accounts.get('default').tokens.getAccessToken());
      expect(shopToken).not.toBe(defaultToken);
      await app.close();
    } finally {
      await multi.close();
    }
  });
});
