// The demo's operations routes (kept stable; external checks rely on them): GET /metrics in the
// Prometheus text format with the WeChat module's metrics, GET /health through terminus. The demo is
// booted as `npm start` does, with its own redis-server, which the test stops to see /health fail.
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
import { clearDemoEnv } from './support/demo-env';
import { HTTP_ADAPTERS, initApp } from './support/http-adapters';
import { startRedisServer, type RedisServerHandle } from './support/redis-server';

const APP_ID = 'wxde0de0de0de0de03';
const TOKEN = 'demoCallbackToken';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const OPEN_ID = 'o_demo_metrics_user';

/** One sample of the Prometheus text: metric name, labels, value. */
interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses the samples of a Prometheus text exposition (comments skipped). */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key] = value;
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

describe.each(HTTP_ADAPTERS)('demo /metrics and /health on %s', (adapter) => {
  let api: WechatApiServer;
  let redis: RedisServerHandle;
  let app: INestApplication<App>;
  let restoreEnv: () => void;
  const sim = new WechatPushSimulator({
    token: TOKEN,
    appId: APP_ID,
    encodingAESKey: AES_KEY,
    openId: OPEN_ID,
  });
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    restoreEnv = clearDemoEnv();
    api = await startWechatApiServer({ appId: APP_ID });
    redis = await startRedisServer();
    Object.assign(process.env, {
      WECHAT_APP_ID: APP_ID,
      WECHAT_APP_SECRET: SANDBOX_APP_SECRET,
      WECHAT_TOKEN: TOKEN,
      WECHAT_ENCODING_AES_KEY: AES_KEY,
      WECHAT_API_BASE_URL: api.url,
      REDIS_URL: redis.url,
    });
    const { AppModule } = await import('../src/app.module');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register()] }).compile();
    app = await initApp(moduleRef, adapter);
  });

  afterAll(async () => {
    await app?.close();
    await redis?.stop();
    await api?.close();
    restoreEnv();
  });

  /** The `wechat_push_received` samples of this account, by outcome (and refusal reason). */
  async function pushCounts(): Promise<Record<string, number>> {
    const res = await http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const counts: Record<string, number> = {};
    for (const sample of parsePrometheus(res.text)) {
      if (sample.name !== 'wechat_push_received_total') continue;
      const { wechat_push_outcome: outcome, wechat_push_refusal_reason: reason } = sample.labels;
      const key = reason ? `${outcome}:${reason}` : outcome;
      counts[key] = (counts[key] ?? 0) + sample.value;
    }
    return counts;
  }

  it('GET /metrics: pushes counted as handled, duplicate and refused, in Prometheus text', async () => {
    const before = await pushCounts();
    const push = sim.sign(sim.text('hello metrics'), 'safe');
    for (let delivery = 0; delivery < 2; delivery++) {
      const res = await http()
        .post(`/wechat?${push.search}`)
        .set('Content-Type', 'text/xml')
        .send(push.body);
      expect((await sim.readReply(res.text)).fields.Content).toBe('hello metrics');
    }
    const other = sim.sign(sim.text('second'), 'safe');
    await http().post(`/wechat?${other.search}`).set('Content-Type', 'text/xml').send(other.body);
    const forged = sim
      .sign(sim.text('forged'))
      .search.replace(/signature=[0-9a-f]+/, 'signature=0');
    expect(
      (await http().post(`/wechat?${forged}`).set('Content-Type', 'text/xml').send('<xml/>'))
        .status,
    ).toBe(403);

    const after = await pushCounts();
    const grew = (key: string): number => (after[key] ?? 0) - (before[key] ?? 0);
    expect(grew('handled')).toBe(2);
    expect(grew('duplicate')).toBe(1);
    expect(grew('refused:bad_signature')).toBe(1);

    const res = await http().get('/metrics');
    const samples = parsePrometheus(res.text);
    const handled = samples.find(
      (s) =>
        s.name === 'wechat_push_received_total' &&
        s.labels.wechat_push_outcome === 'handled' &&
        s.labels.wechat_encrypted === 'true',
    );
    expect(handled?.labels).toEqual({
      otel_scope_name: 'nestjs-wechat-oa',
      wechat_account: 'default',
      wechat_msg_type: 'text',
      wechat_encrypted: 'true',
      wechat_push_outcome: 'handled',
    });
    expect(res.text).toContain('# TYPE wechat_push_duration histogram');
    expect(res.text).not.toContain(OPEN_ID);
    expect(res.text).not.toContain('hello metrics');
  });

  it('GET /health: 200 status ok with Redis up; 503 naming redis while it is stopped; 200 again', async () => {
    const up = await http().get('/health');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({
      status: 'ok',
      info: { wechat: { status: 'up', redis: 'up' } },
    });

    await redis.stop();
    const down = await until(503);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { wechat: { status: 'down', redis: 'down', failing: ['redis'] } },
    });

    await redis.start();
    const back = await until(200);
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('ok');
  }, 60_000);

  /** Polls /health until it answers `status` (bounded): ioredis notices and reconnects on its own. */
  async function until(status: number): Promise<request.Response> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await http().get('/health');
      if (res.status === status || Date.now() > deadline) return res;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
