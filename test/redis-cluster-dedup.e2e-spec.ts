import { randomUUID } from 'node:crypto';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis, { Cluster } from 'ioredis';
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
import { startRedisCluster, type RedisClusterHandle } from './support/redis-cluster';
import { keySlot } from './support/redis-key-slot';
import { deliverPush } from './support/push-delivery';

const APP_ID = 'wx7e7e7e7e7e7e7e03';
const TOKEN = 'clusterToken42';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const COUNTERS_URL = process.env.WECHAT_TEST_REDIS_URL as string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The warnings and errors an app logged. */
class WarningLog implements LoggerService {
  readonly lines: string[] = [];
  log(): void {}
  warn(message: unknown): void {
    this.lines.push(`warn ${String(message)}`);
  }
  error(message: unknown): void {
    this.lines.push(`error ${String(message)}`);
  }
}

/**
 * WeChat's retries on a real 3-master Redis Cluster: one instance in this process and one as a
 * separate OS process, both given an ioredis `Cluster` with the default `keyPrefix`; the handlers
 * count their runs in the run's own (single-node) Redis.
 */
describe('push de-dup on a Redis Cluster (3 masters)', () => {
  const prefix = `wechat:${randomUUID().slice(0, 8)}:`;
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
  let cluster: RedisClusterHandle;
  let api: WechatApiServer;
  let counters: Redis;
  let moduleCluster: Cluster;
  let local: INestApplication;
  let localUrl: string;
  let remote: CallbackInstance;
  const localLog = new WarningLog();

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
    cluster = await startRedisCluster(3);
    api = await startWechatApiServer({ appId: APP_ID });
    counters = new Redis(COUNTERS_URL);
    moduleCluster = new Cluster([...cluster.startupNodes], {
      redisOptions: { maxRetriesPerRequest: 1 },
    });
    moduleCluster.on('error', () => undefined);
    local = await NestFactory.create(
      {
        module: class ClusterInstanceModule {},
        imports: [
          WechatModule.forRoot({ ...options(), redis: moduleCluster }),
          RetryHandlersModule.register(counters, prefix),
        ],
      },
      { logger: localLog },
    );
    await local.listen(0, '127.0.0.1');
    localUrl = await local.getUrl();
    remote = await startCallbackInstance({
      redisUrl: COUNTERS_URL,
      counterPrefix: prefix,
      options: options(),
      store: { cluster: cluster.startupNodes },
    });
    await Promise.all(cluster.nodes.map((node) => cluster.cli(node.port, 'CONFIG', 'RESETSTAT')));
  }, 60_000);

  afterAll(async () => {
    await remote?.stop();
    await local?.close();
    moduleCluster?.disconnect();
    counters?.disconnect();
    await api?.close();
    await cluster?.stop();
  });

  const deliver = deliverPush;
  const again = (push: SignedWechatPush): SignedWechatPush => sim.signXml(push.plainXml, 'safe');
  const contentOf = async (body: string): Promise<unknown> =>
    (await sim.readReply(body)).fields.Content;
  const runsOf = async (texts: readonly string[]): Promise<number[]> =>
    (await counters.mget(...texts.map((text) => runsKey(prefix, text)))).map((value) =>
      Number(value ?? 0),
    );
  const pushKey = (msgId: string): string => `${prefix}push:{${APP_ID}:id:${msgId}}`;

  /**
   * Delivers `push` to `firstUrl` (its reply must be the handler's first run) and its retry to
   * `retryUrl` (which must answer the same); mismatches go to `failures`, the retry to `retries`.
   */
  async function deliverWithRetry(
    text: string,
    push: SignedWechatPush,
    firstUrl: string,
    retryUrl: string,
    failures: string[],
    retries: Promise<void>[],
  ): Promise<void> {
    const first = await deliver(firstUrl, push);
    if (first.status !== 200 || (await contentOf(first.body)) !== `${text} #1`) {
      failures.push(`first ${first.status}`);
    }
    retries.push(
      deliver(retryUrl, again(push)).then((retry) => {
        if (retry.body !== first.body)
          failures.push(`retry ${retry.status} ${retry.body.slice(0, 12)}`);
      }),
    );
  }

  /** CROSSSLOT errors every master has answered since the suite began. */
  async function crossSlotErrors(): Promise<number> {
    let total = 0;
    for (const node of cluster.nodes) {
      const stats = await cluster.cli(node.port, 'INFO', 'errorstats');
      const match = /errorstat_CROSSSLOT:count=(\d+)/.exec(stats);
      total += match ? Number(match[1]) : 0;
    }
    return total;
  }

  /**
   * Moves `slot` from `source` to `target` as a reshard does (SETSLOT IMPORTING/MIGRATING, its keys
   * MIGRATEd one at a time over about 1.5 s, then the rest, then SETSLOT NODE on every master);
   * resolves to the number of keys moved.
   */
  async function migrateSlot(
    slot: number,
    source: { port: number },
    target: { port: number },
  ): Promise<number> {
    const sourceId = (await cluster.cli(source.port, 'CLUSTER', 'MYID')).trim();
    const targetId = (await cluster.cli(target.port, 'CLUSTER', 'MYID')).trim();
    const keysIn = async (count: number): Promise<string[]> =>
      (await cluster.cli(source.port, 'CLUSTER', 'GETKEYSINSLOT', String(slot), String(count)))
        .split('\n')
        .filter((line) => line !== '');
    await cluster.cli(target.port, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', sourceId);
    await cluster.cli(source.port, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', targetId);
    let moved = 0;
    for (let round = 0; round < 15; round++) {
      for (const key of await keysIn(1)) {
        await cluster.cli(
          source.port,
          'MIGRATE',
          '127.0.0.1',
          String(target.port),
          key,
          '0',
          '5000',
        );
        moved++;
      }
      await sleep(100);
    }
    for (let keys = await keysIn(100); keys.length > 0; keys = await keysIn(100)) {
      await cluster.cli(
        source.port,
        'MIGRATE',
        '127.0.0.1',
        String(target.port),
        '',
        '0',
        '5000',
        'KEYS',
        ...keys,
      );
      moved += keys.length;
    }
    for (const node of cluster.nodes) {
      await cluster.cli(node.port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', targetId);
    }
    return moved;
  }

  it('the slot of a push key is what the Cluster says it is', async () => {
    const key = pushKey('9007199254740993');
    const answer = await cluster.cli(cluster.nodes[0].port, 'CLUSTER', 'KEYSLOT', key);
    expect(Number(answer.trim())).toBe(keySlot(key));
    expect(keySlot(key)).toBe(keySlot(`${APP_ID}:id:9007199254740993`));
  });

  it('3 deliveries to 2 instances: 1 handling, the same reply', async () => {
    const text = `cluster-${randomUUID()}`;
    const first = sim.sign(sim.text(text), 'safe');
    const answers = await Promise.all([
      deliver(localUrl, first),
      deliver(remote.url, again(first)),
      deliver(localUrl, again(first)),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    const contents = await Promise.all(answers.map((answer) => contentOf(answer.body)));
    expect(contents).toEqual([`${text} #1`, `${text} #1`, `${text} #1`]);
    expect(await runsOf([text])).toEqual([1]);
  });

  it('200 pushes re-delivered to the other instance: 0 re-runs, 0 CROSSSLOT, keys on every master', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `bulk-${i}-${randomUUID()}`);
    const pushes = texts.map((text) => sim.sign(sim.text(text), 'safe'));
    const firsts: { status: number; body: string }[] = [];
    for (let i = 0; i < pushes.length; i += 20) {
      firsts.push(...(await Promise.all(pushes.slice(i, i + 20).map((p) => deliver(localUrl, p)))));
    }
    const retries: { status: number; body: string }[] = [];
    for (let i = 0; i < pushes.length; i += 20) {
      retries.push(
        ...(await Promise.all(pushes.slice(i, i + 20).map((p) => deliver(remote.url, again(p))))),
      );
    }
    expect(firsts.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(retries.map((answer) => answer.body)).toEqual(firsts.map((answer) => answer.body));
    expect(await runsOf(texts)).toEqual(texts.map(() => 1));
    expect(await crossSlotErrors()).toBe(0);
    const perMaster = await Promise.all(
      cluster.nodes.map(
        async (node) =>
          (await cluster.cli(node.port, '--scan', '--pattern', `${prefix}push:*`))
            .split('\n')
            .filter((line) => line !== '').length,
      ),
    );
    expect(perMaster.every((count) => count > 30)).toBe(true);
    expect(perMaster.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(200);
  });

  it('a rolling deploy: a retry of a push the previous version answered (old key name, another slot) runs nothing', async () => {
    const text = `old-answered-${randomUUID()}`;
    const fields = sim.text(text);
    const oldKey = `${prefix}push:${APP_ID}:id:${String(fields.MsgId)}`;
    expect(keySlot(oldKey)).not.toBe(keySlot(pushKey(String(fields.MsgId))));
    await moduleCluster.set(
      oldKey,
      'a:application/xml; charset=utf-8\n<xml>answered by the old version</xml>',
      'PX',
      60_000,
    );
    const answers = await Promise.all([
      deliver(localUrl, sim.sign(fields, 'safe')),
      deliver(remote.url, sim.sign(fields, 'safe')),
    ]);
    expect(answers).toEqual([
      { status: 200, body: '<xml>answered by the old version</xml>' },
      { status: 200, body: '<xml>answered by the old version</xml>' },
    ]);
    expect(await runsOf([text])).toEqual([0]);
    expect(await crossSlotErrors()).toBe(0);
  });

  it('a slot holding de-dup keys migrated to another master while pushes flow: 0 handled twice, 0 failed', async () => {
    const [source, target] = cluster.nodes;
    // The first slot of the source master (the masters are given their ranges in order).
    const slot = 100;
    // MsgIds whose push key hashes to that slot.
    const ids: string[] = [];
    for (let n = 1_000_000_000_000n; ids.length < 80; n += 1n) {
      if (keySlot(`${APP_ID}:id:${n}`) === slot) ids.push(String(n));
    }

    const failures: string[] = [];
    const texts: string[] = [];
    let migrating = true;
    const flow = (async () => {
      let i = 0;
      const retries: Promise<void>[] = [];
      while (migrating || i < 10) {
        if (i >= ids.length) break;
        const text = `migrate-${i}-${randomUUID()}`;
        texts.push(text);
        const push = sim.sign(sim.text(text, { MsgId: ids[i] }), 'safe');
        i++;
        await deliverWithRetry(text, push, localUrl, remote.url, failures, retries);
        await sleep(40);
      }
      await Promise.all(retries);
    })();

    await sleep(300);
    const moved = await migrateSlot(slot, source, target);
    migrating = false;
    await flow;

    expect(moved).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect(texts.length).toBeGreaterThanOrEqual(10);
    expect(await runsOf(texts)).toEqual(texts.map(() => 1));
    const onTarget = await cluster.cli(target.port, 'CLUSTER', 'COUNTKEYSINSLOT', String(slot));
    expect(Number(onTarget.trim())).toBeGreaterThan(0);
    expect(await crossSlotErrors()).toBe(0);
  }, 60_000);

  it('a keyPrefix with its own hash tag (every key in one slot): that slot migrated while concurrent pushes flow: 0 handled twice, 0 failed', async () => {
    const tagged = `{wx-${randomUUID().slice(0, 8)}}:`;
    const slot = keySlot(tagged);
    const ranges = await moduleCluster.cluster('SLOTS');
    const ownerPort = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2][1];
    const source = cluster.nodes.find((node) => node.port === ownerPort);
    const target = cluster.nodes.find((node) => node.port !== ownerPort);
    if (!source || !target) throw new Error(`no owner found for slot ${slot}`);
    const taggedOptions = { ...options(), keyPrefix: tagged };
    const app = await NestFactory.create(
      {
        module: class TaggedInstanceModule {},
        imports: [
          WechatModule.forRoot({ ...taggedOptions, redis: moduleCluster }),
          RetryHandlersModule.register(counters, prefix),
        ],
      },
      { logger: ['error'] },
    );
    await app.listen(0, '127.0.0.1');
    const appUrl = await app.getUrl();
    const other = await startCallbackInstance({
      redisUrl: COUNTERS_URL,
      counterPrefix: prefix,
      options: taggedOptions,
      store: { cluster: cluster.startupNodes },
    });
    try {
      const failures: string[] = [];
      const texts: string[] = [];
      let migrating = true;
      const flow = (async () => {
        const retries: Promise<void>[] = [];
        for (let round = 0; migrating || round < 5; round++) {
          const batch = Array.from({ length: 5 }, (_, i) => {
            const text = `tagged-${round}-${i}-${randomUUID()}`;
            texts.push(text);
            return { text, push: sim.sign(sim.text(text), 'safe') };
          });
          await Promise.all(
            batch.map(({ text, push }) =>
              deliverWithRetry(text, push, appUrl, other.url, failures, retries),
            ),
          );
          await sleep(30);
        }
        await Promise.all(retries);
      })();
      await sleep(300);
      const moved = await migrateSlot(slot, source, target);
      migrating = false;
      await flow;

      expect(moved).toBeGreaterThan(0);
      expect(await runsOf(texts)).toEqual(texts.map(() => 1));
      expect(failures).toEqual([]);
      expect(await crossSlotErrors()).toBe(0);
    } finally {
      await other.stop();
      await app.close();
    }
  }, 60_000);

  it('a master stopped and restarted while pushes wait on it: each handled once, its retry 5 s later on the other instance answered alike', async () => {
    const down = cluster.nodes[2];
    const logged = localLog.lines.length;
    const texts = Array.from({ length: 30 }, (_, i) => `restart-${i}-${randomUUID()}`);
    const pushes = texts.map((text) => sim.sign(sim.text(text), 'safe'));
    await down.stop();
    const firsts = Promise.all(pushes.map((push) => deliver(localUrl, push)));
    await sleep(800);
    await down.start();
    const answers = await firsts;
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(await Promise.all(answers.map((answer) => contentOf(answer.body)))).toEqual(
      texts.map((text) => `${text} #1`),
    );
    // WeChat's retry comes 5 s later, to the other instance.
    await sleep(5_000);
    const retries = await Promise.all(pushes.map((push) => deliver(remote.url, again(push))));
    expect(retries.map((retry) => retry.body)).toEqual(answers.map((answer) => answer.body));
    expect(await runsOf(texts)).toEqual(texts.map(() => 1));
    const onRestarted = (await cluster.cli(down.port, '--scan', '--pattern', `${prefix}push:*`))
      .split('\n')
      .filter((line) => line !== '').length;
    expect(onRestarted).toBeGreaterThan(0);
    // Pushes that outwaited their store budget fell back to memory (their answers were written
    // back once the master answered): at most one outage logged, no flapping.
    const outages = localLog.lines.slice(logged).filter((line) => line.includes('unavailable'));
    expect(outages.length).toBeLessThanOrEqual(1);
  }, 60_000);
});
