import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { WechatClientService, WechatModule, type WechatModuleOptions } from '@app/wechat';
import {
  SANDBOX_APP_SECRET,
  WechatPushSimulator,
  startWechatApiServer,
  type SignedWechatPush,
  type WechatApiServer,
} from '@app/wechat/testing';
import { RetryHandlersModule, runsKey } from './fixtures/retry-handlers.fixture';
import { startCallbackInstance, type CallbackInstance } from './support/callback-instances';
import { startRedisServer, type RedisServerHandle } from './support/redis-server';
import { deliverPush } from './support/push-delivery';

const APP_ID = 'wx7e7e7e7e7e7e7e01';
const TOKEN = 'retryToken42';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const REDIS_URL = process.env.WECHAT_TEST_REDIS_URL as string;
const CUSTOM_SEND = '/cgi-bin/message/custom/send';

/**
 * WeChat delivers a push up to three times (5 s apart, possibly to another instance). These tests
 * run one instance in this process and one as a separate OS process, sharing a real redis-server,
 * with the local WeChat API stand-in for the late replies.
 */
describe('WeChat retries, the 5 s deadline and faults', () => {
  const prefix = `retry:${randomUUID()}:`;
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
  let api: WechatApiServer;
  let counters: Redis;
  let local: INestApplication;
  let localUrl: string;
  let remote: CallbackInstance;
  // The module never closes a client it was given: the test does.
  const clients: Redis[] = [];
  const track = (client: Redis): Redis => (clients.push(client), client);

  const options = (extra: Partial<WechatModuleOptions> = {}): WechatModuleOptions => ({
    appId: APP_ID,
    appSecret: SANDBOX_APP_SECRET,
    token: TOKEN,
    encodingAESKey: AES_KEY,
    apiBaseUrl: api.url,
    keyPrefix: prefix,
    retryBackoffMs: 10,
    ...extra,
  });

  async function startLocal(
    extra: Partial<WechatModuleOptions>,
    redis: Redis = track(new Redis(REDIS_URL)),
  ): Promise<{ app: INestApplication; url: string }> {
    const app = await NestFactory.create(
      {
        module: class LocalInstanceModule {},
        imports: [
          WechatModule.forRoot({ ...options(extra), redis }),
          RetryHandlersModule.register(counters, prefix),
        ],
      },
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    return { app, url: await app.getUrl() };
  }

  beforeAll(async () => {
    api = await startWechatApiServer({ appId: APP_ID });
    counters = new Redis(REDIS_URL);
    ({ app: local, url: localUrl } = await startLocal({}));
    remote = await startCallbackInstance({
      redisUrl: REDIS_URL,
      counterPrefix: prefix,
      options: options(),
    });
  });

  afterAll(async () => {
    await remote?.stop();
    await local?.close();
    await api?.close();
    counters?.disconnect();
    clients.forEach((client) => client.disconnect());
  });

  const runs = async (content: string): Promise<number> =>
    Number((await counters.get(runsKey(prefix, content))) ?? 0);

  /** POSTs a signed push to an instance; resolves to status and body. */
  const deliver = deliverPush;

  /** A retry as WeChat sends it: the same message, freshly signed and encrypted. */
  const again = (push: SignedWechatPush): SignedWechatPush => sim.signXml(push.plainXml, 'safe');

  const contentOf = async (body: string): Promise<unknown> =>
    (await sim.readReply(body)).fields.Content;

  describe('the same push delivered 3 times to 2 instances (separate processes)', () => {
    it('concurrently: the handler runs once and all three get the same reply', async () => {
      const text = `hello-${randomUUID()}`;
      const first = sim.sign(sim.text(text), 'safe');
      const answers = await Promise.all([
        deliver(localUrl, first),
        deliver(remote.url, again(first)),
        deliver(localUrl, again(first)),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      const contents = await Promise.all(answers.map((a) => contentOf(a.body)));
      expect(contents).toEqual([`${text} #1`, `${text} #1`, `${text} #1`]);
      expect(await runs(text)).toBe(1);
    });

    it('sequentially: later deliveries get the cached reply without running the handler', async () => {
      const text = `seq-${randomUUID()}`;
      const first = sim.sign(sim.text(text), 'safe');
      const a = await deliver(localUrl, first);
      const b = await deliver(remote.url, again(first));
      const c = await deliver(localUrl, again(first));
      expect(await contentOf(a.body)).toBe(`${text} #1`);
      expect(b.body).toBe(a.body);
      expect(c.body).toBe(a.body);
      expect(await runs(text)).toBe(1);
    });

    it('a retry of a push still being handled elsewhere waits for that reply', async () => {
      const text = `slow:700:${randomUUID()}`;
      const first = sim.sign(sim.text(text), 'safe');
      const pending = deliver(localUrl, first);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const retry = await deliver(remote.url, again(first));
      const original = await pending;
      const id = text.split(':')[2];
      expect(await contentOf(original.body)).toBe(`done ${id}`);
      expect(await contentOf(retry.body)).toBe(`done ${id}`);
      expect(await runs(text)).toBe(1);
    });

    it('an event (no MsgId) is de-duplicated by sender, time, event and key', async () => {
      const fields = sim.event('CLICK', { EventKey: 'K', CreateTime: 1_800_000_000 + rand() });
      const before = await runs('CLICK');
      const a = await deliver(localUrl, sim.sign(fields, 'safe'));
      const b = await deliver(remote.url, sim.sign(fields, 'safe'));
      expect(await contentOf(a.body)).toBe(`click #${before + 1}`);
      expect(await contentOf(b.body)).toBe(`click #${before + 1}`);
      expect(await runs('CLICK')).toBe(before + 1);
    });

    it('a failed handling frees its key: the retry runs again and succeeds', async () => {
      const id = randomUUID();
      const first = sim.sign(sim.text(`fail-once:${id}`), 'safe');
      const a = await deliver(localUrl, first);
      expect(a).toEqual({ status: 200, body: 'success' });
      const b = await deliver(remote.url, again(first));
      expect(await contentOf(b.body)).toBe(`recovered ${id}`);
      const c = await deliver(localUrl, again(first));
      expect(c.body).toBe(b.body);
      expect(await runs(`fail-once:${id}`)).toBe(2);
    });
  });

  describe('the deadline', () => {
    let fast: { app: INestApplication; url: string };
    beforeAll(async () => {
      fast = await startLocal({ replyTimeoutMs: 300, keyPrefix: `${prefix}fast:` });
    });
    afterAll(() => fast.app.close());

    it('answers success within the budget and sends the late reply as a customer-service message', async () => {
      const id = randomUUID();
      const text = `slow:1000:${id}`;
      const sendsBefore = api.calls(CUSTOM_SEND);
      const started = Date.now();
      const first = sim.sign(sim.text(text), 'safe');
      const answer = await deliver(fast.url, first);
      const elapsed = Date.now() - started;
      expect(answer).toEqual({ status: 200, body: 'success' });
      expect(elapsed).toBeLessThan(1000); // answered before the handler finished
      // A retry meanwhile gets the same `success`, not a second run or the late reply.
      expect(await deliver(fast.url, again(first))).toEqual({ status: 200, body: 'success' });
      await api.waitForCalls(CUSTOM_SEND, sendsBefore + 1);
      expect(api.lastBody(CUSTOM_SEND)).toEqual({
        touser: sim.openId,
        msgtype: 'text',
        text: { content: `done ${id}` },
      });
      expect(await runs(text)).toBe(1);
    });

    it('a late reply WeChat refuses (45015, outside the 48 h window) is logged, nothing breaks', async () => {
      api.injectError(CUSTOM_SEND, { errcode: 45015, errmsg: 'response out of time limit' });
      const sendsBefore = api.calls(CUSTOM_SEND);
      const text = `slow:500:${randomUUID()}`;
      expect(await deliver(fast.url, sim.sign(sim.text(text), 'safe'))).toEqual({
        status: 200,
        body: 'success',
      });
      await api.waitForCalls(CUSTOM_SEND, sendsBefore + 1);
      const next = await deliver(fast.url, sim.sign(sim.text('still alive'), 'safe'));
      expect(await contentOf(next.body)).toBe('still alive #1');
    });
  });

  it('graceful shutdown: a push in flight at SIGTERM is answered before the process exits', async () => {
    const instance = await startCallbackInstance({
      redisUrl: REDIS_URL,
      counterPrefix: prefix,
      options: options({ keyPrefix: `${prefix}shutdown:` }),
    });
    const id = randomUUID();
    const pending = deliver(instance.url, sim.sign(sim.text(`slow:800:${id}`), 'safe'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exited = instance.stop();
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(await contentOf(answer.body)).toBe(`done ${id}`);
    await exited;
    expect(instance.child.exitCode !== null || instance.child.signalCode !== null).toBe(true);
  });

  describe('Redis restarted during a run of pushes and API calls', () => {
    let redisServer: RedisServerHandle;
    let moduleRedis: Redis;
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      redisServer = await startRedisServer();
      moduleRedis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
      moduleRedis.on('error', () => undefined);
      ({ app, url } = await startLocal({ keyPrefix: `${prefix}restart:` }, moduleRedis));
    });
    afterAll(async () => {
      await app?.close();
      moduleRedis?.disconnect();
      await redisServer?.stop();
    });

    it('answers every push, fails no API call, and shares the token again afterwards', async () => {
      const client = app.get(WechatClientService);
      const failures: string[] = [];
      let pushes = 0;
      let calls = 0;
      let running = true;
      const pushLoop = (async () => {
        while (running) {
          const text = `r-${pushes}-${randomUUID()}`;
          const answer = await deliver(url, sim.sign(sim.text(text), 'safe'));
          const content = answer.status === 200 ? await contentOf(answer.body) : undefined;
          if (content !== `${text} #1`) failures.push(`push ${answer.status} ${String(content)}`);
          pushes++;
        }
      })();
      const apiLoop = (async () => {
        while (running) {
          try {
            await client.getUserInfo(sim.openId);
          } catch (error: unknown) {
            failures.push(`api ${(error as Error).name}`);
          }
          calls++;
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await redisServer.stop();
      await new Promise((resolve) => setTimeout(resolve, 700));
      await redisServer.start();
      await new Promise((resolve) =>
        moduleRedis.status === 'ready' ? resolve(undefined) : moduleRedis.once('ready', resolve),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      running = false;
      await Promise.all([pushLoop, apiLoop]);
      expect(failures).toEqual([]);
      expect(pushes).toBeGreaterThan(10);
      expect(calls).toBeGreaterThan(10);
      // Shared again: the next refresh lands in the restarted Redis, where a second instance reads it.
      await client.clearAccessToken();
      const token = await client.getAccessToken();
      expect(await moduleRedis.get(`${prefix}restart:{${APP_ID}}:access_token`)).toBe(token);
    });
  });
});

function rand(): number {
  return Math.floor(Math.random() * 1_000_000);
}
