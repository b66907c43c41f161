import { randomUUID } from 'node:crypto';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { WechatModule, type WechatModuleOptions } from '@app/wechat';
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
import { startTcpDelayProxy, type TcpDelayProxy } from './support/tcp-delay-proxy';
import { deliverPush } from './support/push-delivery';

const APP_ID = 'wx7e7e7e7e7e7e7e02';
const TOKEN = 'dedupToken42';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const COUNTERS_URL = process.env.WECHAT_TEST_REDIS_URL as string;

/** Every message the app logged, by level. */
class CapturingLogger implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];
  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }
  errors(): string[] {
    return this.lines.filter((line) => line.level === 'error').map((line) => line.message);
  }
}

/**
 * The push de-dup against a Redis that is slow, that blinks, or that holds a foreign key: the
 * instances are this process and a separate OS process, with a real redis-server (behind a TCP
 * delay proxy where it is slow); the handlers count their runs in the run's own Redis.
 */
describe('push de-dup with a slow, blinking or misconfigured Redis', () => {
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
  let api: WechatApiServer;
  let counters: Redis;
  const clients: Redis[] = [];
  const apps: INestApplication[] = [];
  const instances: CallbackInstance[] = [];

  const options = (prefix: string, extra: Partial<WechatModuleOptions> = {}) => ({
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
    prefix: string,
    storeUrl: string,
    extra: Partial<WechatModuleOptions> = {},
    logger: LoggerService | false = false,
  ): Promise<{ app: INestApplication; url: string; redis: Redis }> {
    const redis = new Redis(storeUrl, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    clients.push(redis);
    const app = await NestFactory.create(
      {
        module: class LocalInstanceModule {},
        imports: [
          WechatModule.forRoot({ ...options(prefix, extra), redis }),
          RetryHandlersModule.register(counters, prefix),
        ],
      },
      { logger },
    );
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return { app, url: await app.getUrl(), redis };
  }

  async function startRemote(
    prefix: string,
    storeUrl: string,
    extra: Partial<WechatModuleOptions> = {},
  ): Promise<CallbackInstance> {
    const instance = await startCallbackInstance({
      redisUrl: COUNTERS_URL,
      counterPrefix: prefix,
      options: options(prefix, extra),
      store: { url: storeUrl },
    });
    instances.push(instance);
    return instance;
  }

  beforeAll(async () => {
    api = await startWechatApiServer({ appId: APP_ID });
    counters = new Redis(COUNTERS_URL);
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    for (const app of apps) await app.close();
    clients.forEach((client) => client.disconnect());
    counters?.disconnect();
    await api?.close();
  });

  const deliver = deliverPush;
  const again = (push: SignedWechatPush): SignedWechatPush => sim.signXml(push.plainXml, 'safe');
  const contentOf = async (body: string): Promise<unknown> =>
    (await sim.readReply(body)).fields.Content;
  const runs = async (prefix: string, content: string): Promise<number> =>
    Number((await counters.get(runsKey(prefix, content))) ?? 0);

  /** The value of a de-dup key once it holds a recorded answer (`a:…`), polled for up to 2 s. */
  const recordedAnswer = async (key: string): Promise<string | null> => {
    let value: string | null = null;
    for (let i = 0; i < 40; i += 1) {
      value = await counters.get(key);
      if (value?.startsWith('a:')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return value;
  };

  describe('Redis 560 ms away (a TCP delay proxy in front of a real redis-server)', () => {
    const prefix = `slow:${randomUUID()}:`;
    let proxy: TcpDelayProxy;
    let a: { url: string };
    let b: CallbackInstance;

    beforeAll(async () => {
      const server = new URL(COUNTERS_URL);
      proxy = await startTcpDelayProxy(Number(server.port), 0);
      a = await startLocal(prefix, proxy.url);
      b = await startRemote(prefix, proxy.url);
      proxy.setDelay(280);
    });
    afterAll(() => proxy.close());

    it('is waited for, not taken for dead: a push delivered to 2 instances runs once, one reply', async () => {
      const text = `slow-redis-${randomUUID()}`;
      const first = sim.sign(sim.text(text), 'safe');
      const answers = [await deliver(a.url, first)];
      answers.push(await deliver(b.url, again(first)));
      answers.push(
        ...(await Promise.all([deliver(a.url, again(first)), deliver(b.url, again(first))])),
      );
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      const contents = await Promise.all(answers.map((answer) => contentOf(answer.body)));
      expect(contents).toEqual([`${text} #1`, `${text} #1`, `${text} #1`, `${text} #1`]);
      expect(await runs(prefix, text)).toBe(1);
    });

    it('concurrent deliveries to both instances: one run, the same reply', async () => {
      const text = `slow-redis-concurrent-${randomUUID()}`;
      const first = sim.sign(sim.text(text), 'safe');
      const answers = await Promise.all([
        deliver(a.url, first),
        deliver(b.url, again(first)),
        deliver(a.url, again(first)),
      ]);
      const contents = await Promise.all(answers.map((answer) => contentOf(answer.body)));
      expect(contents).toEqual([`${text} #1`, `${text} #1`, `${text} #1`]);
      expect(await runs(prefix, text)).toBe(1);
    });
  });

  describe('Redis stopped and restarted while a handler runs', () => {
    const prefix = `blink:${randomUUID()}:`;
    let server: RedisServerHandle;
    let a: { url: string; redis: Redis };
    let b: CallbackInstance;
    let probe: Redis;

    beforeAll(async () => {
      server = await startRedisServer();
      a = await startLocal(prefix, server.url, { storeWaitMs: 200 });
      b = await startRemote(prefix, server.url, { storeWaitMs: 200 });
      probe = new Redis(server.url, { maxRetriesPerRequest: 1 });
      probe.on('error', () => undefined);
      clients.push(probe);
    });
    afterAll(() => server.stop());

    it('the answer kept in memory answers the retries, here and (written back to Redis) on the other instance', async () => {
      const id = randomUUID();
      const fields = sim.text(`slow:600:${id}`);
      const first = sim.sign(fields, 'safe');
      const pending = deliver(a.url, first);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await server.stop();
      const answer = await pending;
      expect(await contentOf(answer.body)).toBe(`done ${id}`);
      // Down for longer than storeWaitMs: the answer went to A's memory.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await server.start();
      await new Promise((resolve) =>
        a.redis.status === 'ready' ? resolve(undefined) : a.redis.once('ready', resolve),
      );

      const retryHere = await deliver(a.url, again(first));
      expect(await contentOf(retryHere.body)).toBe(`done ${id}`);
      expect(await runs(prefix, `slow:600:${id}`)).toBe(1);

      // Written back to the restarted Redis (an empty one: the claim is gone with it).
      const key = `${prefix}push:{${APP_ID}:id:${String(fields.MsgId)}}`;
      for (let i = 0; i < 100 && (await probe.get(key).catch(() => null)) === null; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await probe.get(key)).toMatch(/^a:/);
      const retryThere = await deliver(b.url, again(first));
      expect(retryThere.body).toBe(retryHere.body);
      expect(await contentOf(retryThere.body)).toBe(`done ${id}`);
      expect(await runs(prefix, `slow:600:${id}`)).toBe(1);
    });
  });

  describe('a de-dup key of another type (WRONGTYPE) among three pushes of one turn', () => {
    const prefix = `wrongtype:${randomUUID()}:`;
    const logger = new CapturingLogger();
    let a: { url: string; redis: Redis };

    beforeAll(async () => {
      a = await startLocal(prefix, COUNTERS_URL, {}, logger);
    });

    it('fails that key alone, logged once as a configuration error; the other two are shared in Redis', async () => {
      const texts = ['one', 'two', 'three'].map((word) => `${word}-${randomUUID()}`);
      const fields = texts.map((text) => sim.text(text));
      const keys = fields.map((f) => `${prefix}push:{${APP_ID}:id:${String(f.MsgId)}}`);
      await counters.hset(keys[1], 'foreign', 'value');
      const answers = await Promise.all(fields.map((f) => deliver(a.url, sim.sign(f, 'safe'))));
      expect(await Promise.all(answers.map((answer) => contentOf(answer.body)))).toEqual(
        texts.map((text) => `${text} #1`),
      );
      // Answers are recorded behind the answer (within the batch queue's 10 ms deferral).
      expect(await recordedAnswer(keys[0])).toMatch(/^a:/);
      expect(await recordedAnswer(keys[2])).toMatch(/^a:/);
      expect(await counters.hget(keys[1], 'foreign')).toBe('value');
      // Its retry is still answered from this process's memory.
      const retry = await deliver(a.url, sim.sign(fields[1], 'safe'));
      expect(await contentOf(retry.body)).toBe(`${texts[1]} #1`);
      expect(await runs(prefix, texts[1])).toBe(1);
      const errors = logger.errors().filter((line) => line.includes('WRONGTYPE'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('keyPrefix');
      expect(errors[0]).not.toContain(sim.openId);
      expect(logger.lines.filter((line) => line.message.includes('unavailable'))).toEqual([]);
    });
  });

  describe('a rolling deploy: pushes the previous version claimed under the old key names', () => {
    const prefix = `rolling:${randomUUID()}:`;
    const OLD_ANSWER = 'a:application/xml; charset=utf-8\n<xml>answered by the old version</xml>';
    let a: { url: string };

    beforeAll(async () => {
      a = await startLocal(prefix, COUNTERS_URL);
    });

    /** The key the previous version gave a message push: no hash tag. */
    const oldKey = (msgId: unknown): string => `${prefix}push:${APP_ID}:id:${String(msgId)}`;

    it('a retry of a push the previous version answered gets that answer; nothing runs again', async () => {
      const text = `old-answered-${randomUUID()}`;
      const fields = sim.text(text);
      await counters.set(oldKey(fields.MsgId), OLD_ANSWER, 'PX', 60_000);
      const answer = await deliver(a.url, sim.sign(fields, 'safe'));
      expect(answer).toEqual({ status: 200, body: '<xml>answered by the old version</xml>' });
      expect(await runs(prefix, text)).toBe(0);
    });

    it('a retry of a push the previous version is still handling waits for its answer', async () => {
      const text = `old-pending-${randomUUID()}`;
      const fields = sim.text(text);
      await counters.set(
        oldKey(fields.MsgId),
        'p:an-instance-of-the-previous-version',
        'PX',
        5_000,
      );
      const pending = deliver(a.url, sim.sign(fields, 'safe'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await counters.set(oldKey(fields.MsgId), OLD_ANSWER, 'PX', 60_000);
      expect(await pending).toEqual({
        status: 200,
        body: '<xml>answered by the old version</xml>',
      });
      expect(await runs(prefix, text)).toBe(0);
    });
  });
});
