import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
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
import { startRedisSentinel, type RedisSentinelHandle } from './support/redis-sentinel';
import { deliverPush } from './support/push-delivery';

const APP_ID = 'wx7e7e7e7e7e7e7e04';
const TOKEN = 'sentinelToken42';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const COUNTERS_URL = process.env.WECHAT_TEST_REDIS_URL as string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * WeChat's retries on a Sentinel-managed primary (1 primary, 1 replica, 1 sentinel failing over
 * after 1 s): one instance in this process, one as a separate OS process, both given an ioredis
 * client with `sentinels`; the handlers count their runs in the run's own Redis.
 */
describe('push de-dup on a Sentinel-managed Redis', () => {
  const prefix = `sentinel:${randomUUID()}:`;
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
  let sentinel: RedisSentinelHandle;
  let api: WechatApiServer;
  let counters: Redis;
  let moduleRedis: Redis;
  let local: INestApplication;
  let localUrl: string;
  let remote: CallbackInstance;

  const options = (): WechatModuleOptions => ({
    appId: APP_ID,
    appSecret: SANDBOX_APP_SECRET,
    token: TOKEN,
    encodingAESKey: AES_KEY,
    apiBaseUrl: api.url,
    keyPrefix: prefix,
    retryBackoffMs: 10,
  });

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    api = await startWechatApiServer({ appId: APP_ID });
    counters = new Redis(COUNTERS_URL);
    moduleRedis = new Redis({
      sentinels: [...sentinel.sentinels],
      name: sentinel.name,
      maxRetriesPerRequest: 1,
    });
    moduleRedis.on('error', () => undefined);
    local = await NestFactory.create(
      {
        module: class SentinelInstanceModule {},
        imports: [
          WechatModule.forRoot({ ...options(), redis: moduleRedis }),
          RetryHandlersModule.register(counters, prefix),
        ],
      },
      { logger: ['error'] },
    );
    await local.listen(0, '127.0.0.1');
    localUrl = await local.getUrl();
    remote = await startCallbackInstance({
      redisUrl: COUNTERS_URL,
      counterPrefix: prefix,
      options: options(),
      store: { sentinels: sentinel.sentinels, name: sentinel.name },
    });
  }, 60_000);

  afterAll(async () => {
    await remote?.stop();
    await local?.close();
    moduleRedis?.disconnect();
    counters?.disconnect();
    await api?.close();
    await sentinel?.stop();
  });

  const deliver = deliverPush;
  const again = (push: SignedWechatPush): SignedWechatPush => sim.signXml(push.plainXml, 'safe');
  const contentOf = async (body: string): Promise<unknown> =>
    (await sim.readReply(body)).fields.Content;

  it('the primary killed and failed over while pushes flow; every push re-delivered 5 s later to the other instance: 0 failed, 0 handled twice', async () => {
    const sent: {
      text: string;
      push: SignedWechatPush;
      first: { status: number; body: string };
    }[] = [];
    let flowing = true;
    const flow = (async () => {
      let i = 0;
      while (flowing) {
        const batch = Array.from({ length: 3 }, () => {
          const text = `failover-${i++}-${randomUUID()}`;
          return { text, push: sim.sign(sim.text(text), 'safe') };
        });
        await Promise.all(
          batch.map(async ({ text, push }) => {
            sent.push({ text, push, first: await deliver(localUrl, push) });
          }),
        );
        await sleep(30);
      }
    })();

    await sleep(800);
    await sentinel.primary.stop();
    // Pushes keep flowing until the sentinel has promoted the replica and the client is back on it.
    const probe = new Redis({ ...sentinel.sentinels[0], maxRetriesPerRequest: 1 });
    probe.on('error', () => undefined);
    for (let i = 0; i < 200; i++) {
      const master = (await probe.call(
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        sentinel.name,
      )) as string[];
      if (Number(master[1]) === sentinel.replica.port && moduleRedis.status === 'ready') break;
      await sleep(50);
    }
    probe.disconnect();
    await sleep(800);
    flowing = false;
    await flow;

    await sleep(5_000);
    const retries = await Promise.all(sent.map(({ push }) => deliver(remote.url, again(push))));

    const failed = sent.filter(({ first }) => first.status !== 200).length;
    expect(failed).toBe(0);
    const contents = await Promise.all(sent.map(({ first }) => contentOf(first.body)));
    expect(contents).toEqual(sent.map(({ text }) => `${text} #1`));
    expect(retries.map((retry) => retry.body)).toEqual(sent.map(({ first }) => first.body));
    const runs = (await counters.mget(...sent.map(({ text }) => runsKey(prefix, text)))).map(
      (value) => Number(value ?? 0),
    );
    expect(runs).toEqual(sent.map(() => 1));
    expect(sent.length).toBeGreaterThan(30);
  }, 60_000);
});
