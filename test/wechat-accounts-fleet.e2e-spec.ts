import { randomBytes } from 'node:crypto';
import {
  WechatPushSimulator,
  startWechatApiServer,
  type WechatApiServer,
} from '@app/wechat/testing';
import type { WechatAccountOptions } from '@app/wechat';
import type { AccountsRunResult } from './support/accounts-instance';
import { startAccountsInstance, type CallbackInstance } from './support/callback-instances';

const TOKEN_PATH = '/cgi-bin/token';

const A: WechatAccountOptions = {
  name: 'alpha',
  appId: 'wxa1a1a1a1a1a1a1a1',
  appSecret: 'alphaSecret0123456789abcdefABCDE',
  token: 'alphaToken',
};
const B: WechatAccountOptions = {
  name: 'beta',
  appId: 'wxb2b2b2b2b2b2b2b2',
  appSecret: 'betaSecret0123456789abcdefABCDEF',
  token: 'betaToken',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

async function post<T>(instance: CallbackInstance, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${instance.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function run(
  instance: CallbackInstance,
  account: string,
  count: number,
): Promise<AccountsRunResult> {
  return post<AccountsRunResult>(instance, '/host/run', { account, op: 'send', count });
}

describe('Several accounts across a fleet (2 processes, shared Redis)', () => {
  let server: WechatApiServer;
  let instances: CallbackInstance[];

  beforeAll(async () => {
    server = await startWechatApiServer({
      appId: A.appId,
      appSecret: A.appSecret,
      accounts: [{ appId: B.appId, appSecret: B.appSecret }],
    });
    const config = {
      redisUrl: process.env.WECHAT_TEST_REDIS_URL as string,
      keyPrefix: `fleet-${randomBytes(4).toString('hex')}:`,
      apiBaseUrl: server.url,
      accounts: [A, B],
    };
    instances = await Promise.all([startAccountsInstance(config), startAccountsInstance(config)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all((instances ?? []).map((instance) => instance.stop()));
    await server?.close();
  });

  it('2 processes × 2 accounts × 50 concurrent calls from cold: one token call per account', async () => {
    const results = await Promise.all(
      instances.flatMap((instance) => [run(instance, 'alpha', 50), run(instance, 'beta', 50)]),
    );
    for (const result of results) {
      expect(result.failures).toEqual([]);
      expect(result.values).toHaveLength(50);
    }
    expect(server.callsFor(TOKEN_PATH, A.appId)).toBe(1);
    expect(server.callsFor(TOKEN_PATH, B.appId)).toBe(1);
    expect(server.calls(TOKEN_PATH)).toBe(2);
    expect(server.callsFor('/cgi-bin/message/template/send', A.appId)).toBe(100);
    expect(server.callsFor('/cgi-bin/message/template/send', B.appId)).toBe(100);
  });

  it('a 40001 storm on one account refreshes that account once and the other not at all', async () => {
    server.invalidateAllTokens({ appId: A.appId });
    const results = await Promise.all(
      instances.flatMap((instance) => [run(instance, 'alpha', 50), run(instance, 'beta', 50)]),
    );
    for (const result of results) {
      expect(result.failures).toEqual([]);
      expect(result.values).toHaveLength(50);
    }
    expect(server.callsFor(TOKEN_PATH, A.appId)).toBe(2);
    expect(server.callsFor(TOKEN_PATH, B.appId)).toBe(1);
  });

  it('an account registered on instance 1 is served on instance 2 through the loader', async () => {
    const news: WechatAccountOptions = {
      name: 'news',
      appId: 'wxc3c3c3c3c3c3c3c3',
      appSecret: 'newsSecret',
      token: 'newsToken',
      encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
    };
    const sim = new WechatPushSimulator({
      token: news.token as string,
      appId: news.appId,
      encodingAESKey: news.encodingAESKey,
    });
    // Before it is registered anywhere: 404 on both (the loader finds nothing).
    const before = await sim.deliver(`${instances[1].url}/wechat/news2`, sim.text('x'), 'safe');
    expect(before.status).toBe(404);
    await post(instances[0], '/host/accounts', news);
    const delivery = await sim.deliver(`${instances[1].url}/wechat/news`, sim.text('hi'), 'safe');
    expect(delivery.status).toBe(200);
    expect(delivery.reply?.encrypted).toBe(true);
    expect(delivery.reply?.fields.Content).toBe(`news:${news.appId}:hi`);
    const onFirst = await sim.deliver(`${instances[0].url}/wechat/news`, sim.text('yo'), 'safe');
    expect(onFirst.reply?.fields.Content).toBe(`news:${news.appId}:yo`);
  });
});
