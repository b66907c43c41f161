// Observability through @opentelemetry/api: an OpenTelemetry SDK installed in this process (metrics
// read on demand, spans kept in memory, AsyncLocalStorage context, W3C traceparent) records what
// the module does with real signed pushes and real API calls against the WeChat sandbox.
import { randomUUID } from 'node:crypto';
import { Injectable, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Redis from 'ioredis';
import {
  AccessTokenService,
  OnWechatEvent,
  OnWechatMessage,
  WECHAT_METRICS,
  WECHAT_SPANS,
  WechatApiError,
  WechatClientService,
  WechatModule,
  computeSignature,
  type WechatMessageOfType,
  type WechatModuleOptions,
} from '@app/wechat';
import {
  SANDBOX_APP_SECRET,
  WechatPushSimulator,
  startWechatApiServer,
  type SignedWechatPush,
  type WechatApiServer,
} from '@app/wechat/testing';
import {
  changes,
  installTestTelemetry,
  type MetricPoint,
  type TestTelemetry,
} from './support/otel-test-sdk';
import { startRedisServer } from './support/redis-server';

const APP_ID = 'wx0e1e0e1e0e1e0e01';
const TOKEN = 'otelCallbackToken42';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const OPEN_ID = 'o_otel_private_openid_7';
const CONTENT = 'private-message-content-9';
const REDIS_URL = process.env.WECHAT_TEST_REDIS_URL as string;
const CUSTOM_SEND = '/cgi-bin/message/custom/send';
const TOKEN_PATH = '/cgi-bin/token';
const DEFAULT = { 'wechat.account': 'default' };

/** Lets a test hold a handler until it has sent a second delivery. */
@Injectable()
class HandlerGate {
  private opened!: () => void;
  private gate = new Promise<void>((resolve) => (this.opened = resolve));
  private enteredResolve!: () => void;
  /** Resolves once a `hold` handler is running. */
  entered = new Promise<void>((resolve) => (this.enteredResolve = resolve));

  async hold(): Promise<void> {
    this.enteredResolve();
    await this.gate;
  }

  open(): void {
    this.opened();
  }
}

@Injectable()
class TelemetryHandlers {
  constructor(private readonly gate: HandlerGate) {}

  @OnWechatMessage('text')
  async text(message: WechatMessageOfType<'text'>): Promise<string> {
    if (message.Content === 'hold') await this.gate.hold();
    if (message.Content === 'slow') await new Promise((resolve) => setTimeout(resolve, 700));
    if (message.Content === 'boom') throw new Error('handler failed on purpose');
    return `echo: ${message.Content}`;
  }

  @OnWechatEvent('subscribe')
  welcome(): string {
    return 'welcome';
  }
}

describe('metrics and traces through @opentelemetry/api', () => {
  let otel: TestTelemetry;
  let api: WechatApiServer;
  let app: INestApplication;
  let url: string;
  const sim = new WechatPushSimulator({
    token: TOKEN,
    appId: APP_ID,
    encodingAESKey: AES_KEY,
    openId: OPEN_ID,
  });
  const prefix = `otel:${randomUUID()}:`;
  const redisClients: Redis[] = [];
  const apps: INestApplication[] = [];
  let fleet: INestApplication[] = [];

  const options = (extra: Partial<WechatModuleOptions> = {}): WechatModuleOptions => ({
    appId: APP_ID,
    appSecret: SANDBOX_APP_SECRET,
    token: TOKEN,
    encodingAESKey: AES_KEY,
    apiBaseUrl: api.url,
    retryBackoffMs: 5,
    replyTimeoutMs: 300,
    maxBodyBytes: 4096,
    replayWindowSeconds: 300,
    lateReplyViaCustomMessage: false,
    ...extra,
  });

  async function start(extra: Partial<WechatModuleOptions> = {}): Promise<INestApplication> {
    const started = await NestFactory.create(
      {
        module: class TelemetryAppModule {},
        imports: [WechatModule.forRoot(options(extra))],
        providers: [HandlerGate, TelemetryHandlers],
      },
      { logger: false },
    );
    await started.listen(0, '127.0.0.1');
    apps.push(started);
    return started;
  }

  const urlOf = async (target: INestApplication): Promise<string> =>
    `${(await target.getUrl()).replace('[::1]', '127.0.0.1')}/wechat`;

  function post(
    target: string,
    push: Pick<SignedWechatPush, 'search' | 'body'>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(`${target}?${push.search}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', ...headers },
      body: push.body,
    });
  }

  /** The changes of `wechat.push.received` that `run` caused. */
  async function received(run: () => Promise<unknown>): Promise<ReturnType<typeof changes>> {
    const before = await otel.collect();
    await run();
    return changes(before, await otel.collect(), WECHAT_METRICS.pushReceived.name);
  }

  beforeAll(async () => {
    otel = installTestTelemetry();
    api = await startWechatApiServer({ appId: APP_ID });
    app = await start();
    url = await urlOf(app);
  });

  afterAll(async () => {
    for (const started of apps) started.get(HandlerGate).open();
    for (const started of apps) await started.close();
    for (const client of redisClients) client.disconnect();
    await api?.close();
    await otel?.shutdown();
  });

  describe('wechat.push.received: each outcome counts once, with its attributes', () => {
    it('a handled text push', async () => {
      const before = await otel.collect();
      const res = await post(url, sim.sign(sim.text(CONTENT)));
      expect(await res.text()).toContain(`echo: ${CONTENT}`);
      const after = await otel.collect();
      const attributes = {
        ...DEFAULT,
        'wechat.msg_type': 'text',
        'wechat.encrypted': false,
        'wechat.push.outcome': 'handled',
      };
      expect(changes(before, after, 'wechat.push.received')).toEqual([{ attributes, value: 1 }]);
      expect(changes(before, after, 'wechat.push.duration')).toEqual([{ attributes, value: 1 }]);
      expect(changes(before, after, 'wechat.handler.duration')).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.msg_type': 'text',
            'wechat.handler': 'TelemetryHandlers.text',
          },
          value: 1,
        },
      ]);
    });

    it('a safe-mode event, by its event name', async () => {
      const delta = await received(async () => {
        const res = await post(url, sim.sign(sim.event('subscribe'), 'safe'));
        expect((await sim.readReply(await res.text())).fields.Content).toBe('welcome');
      });
      expect(delta).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.msg_type': 'event',
            'wechat.event': 'subscribe',
            'wechat.encrypted': true,
            'wechat.push.outcome': 'handled',
          },
          value: 1,
        },
      ]);
    });

    it('a second delivery of an answered push counts as duplicate (answer from the store)', async () => {
      const push = sim.sign(sim.text('twice'));
      await post(url, push).then((res) => res.text());
      const before = await otel.collect();
      const again = await post(url, push);
      expect(await again.text()).toContain('echo: twice');
      const after = await otel.collect();
      expect(changes(before, after, 'wechat.push.received')).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.msg_type': 'text',
            'wechat.encrypted': false,
            'wechat.push.outcome': 'duplicate',
          },
          value: 1,
        },
      ]);
      expect(changes(before, after, 'wechat.dedup.retries_absorbed')).toHaveLength(1);
      expect(changes(before, after, 'wechat.handler.duration')).toEqual([]);
    });

    it('a retry while the first delivery is handled here counts as duplicate, in_process', async () => {
      // replyTimeoutMs long enough for the first delivery to be held while the second arrives.
      const holding = await start({ replyTimeoutMs: 4000 });
      const holdingUrl = await urlOf(holding);
      const gate = holding.get(HandlerGate);
      const push = sim.sign(sim.text('hold'));
      const before = await otel.collect();
      const first = post(holdingUrl, push);
      await gate.entered;
      const second = post(holdingUrl, push);
      // The second delivery is waiting on this process's handling: let the handler finish.
      await new Promise((resolve) => setTimeout(resolve, 300));
      gate.open();
      const answers = await Promise.all([first, second].map((p) => p.then((r) => r.text())));
      expect(answers[0]).toContain('echo: hold');
      expect(answers[1]).toBe(answers[0]);
      const after = await otel.collect();
      const base = { ...DEFAULT, 'wechat.msg_type': 'text', 'wechat.encrypted': false };
      expect(changes(before, after, 'wechat.push.received')).toEqual(
        expect.arrayContaining([
          { attributes: { ...base, 'wechat.push.outcome': 'handled' }, value: 1 },
          { attributes: { ...base, 'wechat.push.outcome': 'duplicate' }, value: 1 },
        ]),
      );
      expect(changes(before, after, 'wechat.push.received')).toHaveLength(2);
      expect(changes(before, after, 'wechat.dedup.retries_absorbed')).toEqual([
        { attributes: { ...DEFAULT, 'wechat.dedup.source': 'in_process' }, value: 1 },
      ]);
    });

    it('a handler past replyTimeoutMs counts as late_reply', async () => {
      const delta = await received(async () => {
        const res = await post(url, sim.sign(sim.text('slow')));
        expect(await res.text()).toBe('success');
      });
      expect(delta).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.msg_type': 'text',
            'wechat.encrypted': false,
            'wechat.push.outcome': 'late_reply',
          },
          value: 1,
        },
      ]);
    });

    it("a push to a named account carries that account's name", async () => {
      const shopUrl = await urlOf(
        await start({
          accounts: [
            {
              name: 'shop',
              appId: 'wx0e1e0e1e0e1e0e02',
              appSecret: 'shop-secret',
              token: 'shopT0ken',
            },
          ],
        }),
      );
      const shop = new WechatPushSimulator({ token: 'shopT0ken', appId: 'wx0e1e0e1e0e1e0e02' });
      const delta = await received(async () => {
        const res = await post(`${shopUrl}/shop`, shop.sign(shop.text('for the shop')));
        expect(await res.text()).toContain('echo: for the shop');
      });
      expect(delta).toEqual([
        {
          attributes: {
            'wechat.account': 'shop',
            'wechat.msg_type': 'text',
            'wechat.encrypted': false,
            'wechat.push.outcome': 'handled',
          },
          value: 1,
        },
      ]);
    });

    it('a failing handler: the push is handled, the handler duration carries error.type', async () => {
      const before = await otel.collect();
      const res = await post(url, sim.sign(sim.text('boom')));
      expect(await res.text()).toBe('success');
      const after = await otel.collect();
      expect(changes(before, after, 'wechat.push.received')).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.msg_type': 'text',
            'wechat.encrypted': false,
            'wechat.push.outcome': 'handled',
          },
          value: 1,
        },
      ]);
      expect(changes(before, after, 'wechat.handler.duration')).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.msg_type': 'text',
            'wechat.handler': 'TelemetryHandlers.text',
            'error.type': 'Error',
          },
          value: 1,
        },
      ]);
    });
  });

  describe('refusals count as refused, with their reason', () => {
    const refused = (reason: string): { attributes: Attributes; value: number }[] => [
      {
        attributes: {
          ...DEFAULT,
          'wechat.push.outcome': 'refused',
          'wechat.push.refusal_reason': reason,
        },
        value: 1,
      },
    ];

    it('bad_signature: a wrong signature (403) and a missing one (401)', async () => {
      const push = sim.sign(sim.text('x'));
      const wrong = push.search.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`);
      expect(
        await received(async () =>
          expect((await post(url, { ...push, search: wrong })).status).toBe(403),
        ),
      ).toEqual(refused('bad_signature'));
      const missing = push.search.replace(/signature=[0-9a-f]+&?/, '');
      expect(
        await received(async () =>
          expect((await post(url, { ...push, search: missing })).status).toBe(401),
        ),
      ).toEqual(refused('bad_signature'));
    });

    it('replay: a timestamp outside replayWindowSeconds', async () => {
      const old = String(Math.floor(Date.now() / 1000) - 3600);
      const push = sim.sign(sim.text('x'), 'plaintext', { timestamp: old });
      expect(await received(async () => expect((await post(url, push)).status).toBe(403))).toEqual(
        refused('replay'),
      );
    });

    it('too_large: a body past maxBodyBytes', async () => {
      const push = sim.sign(sim.text('x'.repeat(5000)));
      expect(await received(async () => expect((await post(url, push)).status).toBe(413))).toEqual(
        refused('too_large'),
      );
    });

    it('malformed: a body that is not XML', async () => {
      const push = sim.signXml('<xml><MsgType>text</MsgType', 'plaintext');
      expect(await received(async () => expect((await post(url, push)).status).toBe(400))).toEqual(
        refused('malformed'),
      );
    });

    it('bad_crypto: a correctly signed Encrypt that does not decrypt', async () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = '12345';
      const encrypt = Buffer.alloc(48, 7).toString('base64');
      const search = new URLSearchParams({
        signature: computeSignature(TOKEN, timestamp, nonce),
        timestamp,
        nonce,
        encrypt_type: 'aes',
        msg_signature: computeSignature(TOKEN, timestamp, nonce, encrypt),
      }).toString();
      const body = `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
      expect(
        await received(async () => expect((await post(url, { search, body })).status).toBe(400)),
      ).toEqual(refused('bad_crypto'));
    });

    it('downgrade: a plaintext push where requireEncryption is on', async () => {
      const strictUrl = await urlOf(await start({ requireEncryption: true }));
      const push = sim.sign(sim.text('x'));
      expect(
        await received(async () => expect((await post(strictUrl, push)).status).toBe(403)),
      ).toEqual(refused('downgrade'));
    });

    it('a URL verification GET is not a push', async () => {
      const search = sim.verification('echo-me').replace(/signature=[0-9a-f]+/, 'signature=00');
      expect(
        await received(async () => expect((await fetch(`${url}?${search}`)).status).toBe(403)),
      ).toEqual([]);
    });
  });

  describe('spans', () => {
    it('a push: wechat.push joins the incoming traceparent; decrypt, dispatch, handler, encrypt are its children', async () => {
      otel.resetSpans();
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const remoteSpanId = '00f067aa0ba902b7';
      const res = await post(url, sim.sign(sim.text(CONTENT), 'safe'), {
        traceparent: `00-${traceId}-${remoteSpanId}-01`,
      });
      expect((await sim.readReply(await res.text())).fields.Content).toBe(`echo: ${CONTENT}`);
      const spans = otel.spans();
      const byName = (name: string): ReadableSpan => {
        const found = spans.filter((span) => span.name === name);
        expect(found).toHaveLength(1);
        return found[0];
      };
      const push = byName(WECHAT_SPANS.push);
      const decrypt = byName(WECHAT_SPANS.decrypt);
      const dispatch = byName(WECHAT_SPANS.dispatch);
      const handler = byName(WECHAT_SPANS.handler);
      const encrypt = byName(WECHAT_SPANS.encrypt);
      expect(spans).toHaveLength(5);
      expect(push.kind).toBe(SpanKind.SERVER);
      expect(push.spanContext().traceId).toBe(traceId);
      expect(push.parentSpanContext?.spanId).toBe(remoteSpanId);
      expect(push.parentSpanContext?.isRemote).toBe(true);
      const id = (span: ReadableSpan): string => span.spanContext().spanId;
      expect(decrypt.parentSpanContext?.spanId).toBe(id(push));
      expect(dispatch.parentSpanContext?.spanId).toBe(id(push));
      expect(handler.parentSpanContext?.spanId).toBe(id(dispatch));
      expect(encrypt.parentSpanContext?.spanId).toBe(id(push));
      for (const span of spans) expect(span.spanContext().traceId).toBe(traceId);
      expect(push.attributes).toEqual({
        ...DEFAULT,
        'wechat.msg_type': 'text',
        'wechat.encrypted': true,
        'wechat.push.outcome': 'handled',
      });
      expect(handler.attributes).toEqual({
        ...DEFAULT,
        'wechat.msg_type': 'text',
        'wechat.handler': 'TelemetryHandlers.text',
      });
    });

    it('a push without traceparent starts its own trace; a refused one is an ERROR span with its reason', async () => {
      otel.resetSpans();
      await post(url, sim.sign(sim.event('subscribe'))).then((res) => res.text());
      const [root] = otel.spans().filter((span) => span.name === WECHAT_SPANS.push);
      expect(root.parentSpanContext).toBeUndefined();
      otel.resetSpans();
      const push = sim.sign(sim.text('x'));
      const wrong = push.search.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`);
      await post(url, { ...push, search: wrong }).then((res) => res.text());
      const spans = otel.spans();
      expect(spans.map((span) => span.name)).toEqual([WECHAT_SPANS.push]);
      expect(spans[0].status.code).toBe(SpanStatusCode.ERROR);
      expect(spans[0].status.message).toBeUndefined();
      expect(spans[0].attributes).toEqual({
        ...DEFAULT,
        'wechat.push.outcome': 'refused',
        'wechat.push.refusal_reason': 'bad_signature',
        'error.type': 'ForbiddenException',
      });
    });
  });

  describe('API calls and the access_token', () => {
    let client: WechatClientService;

    beforeAll(() => {
      client = app.get(WechatClientService);
    });

    it('a call retried once after errcode -1: calls by path and errcode, one retry by reason, one span with the retry count', async () => {
      api.reset();
      otel.resetSpans();
      const before = await otel.collect();
      api.injectError(CUSTOM_SEND, { errcode: -1, errmsg: 'system busy' });
      await client.sendCustomMessage({
        touser: OPEN_ID,
        msgtype: 'text',
        text: { content: CONTENT },
      });
      const after = await otel.collect();
      expect(changes(before, after, 'wechat.api.calls')).toEqual(
        expect.arrayContaining([
          {
            attributes: { ...DEFAULT, 'wechat.api.path': TOKEN_PATH, 'wechat.errcode': 0 },
            value: 1,
          },
          {
            attributes: { ...DEFAULT, 'wechat.api.path': CUSTOM_SEND, 'wechat.errcode': 0 },
            value: 1,
          },
        ]),
      );
      expect(changes(before, after, 'wechat.api.calls')).toHaveLength(2);
      expect(changes(before, after, 'wechat.api.retries')).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.api.path': CUSTOM_SEND,
            'wechat.api.retry_reason': 'busy',
          },
          value: 1,
        },
      ]);
      expect(changes(before, after, 'wechat.credential.refreshes')).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.credential.kind': 'access_token',
            'wechat.credential.outcome': 'success',
          },
          value: 1,
        },
      ]);
      const spans = otel.spans();
      const apiSpans = spans.filter((span) => span.name === WECHAT_SPANS.api);
      const send = apiSpans.find((span) => span.attributes['wechat.api.path'] === CUSTOM_SEND);
      const token = apiSpans.find((span) => span.attributes['wechat.api.path'] === TOKEN_PATH);
      const fetchSpan = spans.find((span) => span.name === WECHAT_SPANS.credentialFetch);
      expect(send?.kind).toBe(SpanKind.CLIENT);
      expect(send?.attributes).toEqual({
        ...DEFAULT,
        'wechat.api.path': CUSTOM_SEND,
        'wechat.errcode': 0,
        'wechat.api.retries': 1,
      });
      expect(token?.parentSpanContext?.spanId).toBe(fetchSpan?.spanContext().spanId);
    });

    it('a call WeChat refuses counts under its errcode, with error.type', async () => {
      const before = await otel.collect();
      api.injectError(CUSTOM_SEND, { errcode: 45015, errmsg: 'response out of time limit' });
      await expect(
        client.sendCustomMessage({ touser: OPEN_ID, msgtype: 'text', text: { content: 'late' } }),
      ).rejects.toBeInstanceOf(WechatApiError);
      expect(changes(before, await otel.collect(), 'wechat.api.calls')).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.api.path': CUSTOM_SEND,
            'wechat.errcode': 45015,
            'error.type': 'WechatApiError',
          },
          value: 1,
        },
      ]);
    });

    it('a cold fleet (two instances sharing Redis, 40 concurrent callers) counts exactly one access_token refresh', async () => {
      api.reset();
      fleet = await Promise.all(
        [0, 1].map(() => {
          const redis = new Redis(REDIS_URL);
          redisClients.push(redis);
          return start({ redis, keyPrefix: prefix });
        }),
      );
      const before = await otel.collect();
      const tokens = await Promise.all(
        fleet.flatMap((instance) =>
          Array.from({ length: 20 }, () => instance.get(AccessTokenService).getAccessToken()),
        ),
      );
      expect(new Set(tokens).size).toBe(1);
      const after = await otel.collect();
      expect(api.calls(TOKEN_PATH)).toBe(1);
      expect(changes(before, after, 'wechat.credential.refreshes')).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.credential.kind': 'access_token',
            'wechat.credential.outcome': 'success',
          },
          value: 1,
        },
      ]);
      expect(changes(before, after, 'wechat.credential.upstream.duration')).toHaveLength(1);

      // A rejected token is cleared from Redis by compare-and-delete: counted once.
      const beforeClear = await otel.collect();
      await fleet[0].get(AccessTokenService).clearAccessToken(tokens[0]);
      expect(changes(beforeClear, await otel.collect(), 'wechat.credential.clears')).toEqual([
        { attributes: { ...DEFAULT, 'wechat.credential.kind': 'access_token' }, value: 1 },
      ]);
    });

    it('a delivery another instance answered counts as duplicate, shared_store', async () => {
      const [first, second] = fleet;
      const push = sim.sign(sim.text('across'));
      const answer = await post(await urlOf(first), push).then((res) => res.text());
      const before = await otel.collect();
      expect(await post(await urlOf(second), push).then((res) => res.text())).toBe(answer);
      const after = await otel.collect();
      expect(changes(before, after, 'wechat.dedup.retries_absorbed')).toEqual([
        { attributes: { ...DEFAULT, 'wechat.dedup.source': 'shared_store' }, value: 1 },
      ]);
      expect(changes(before, after, 'wechat.push.received')).toEqual([
        {
          attributes: {
            ...DEFAULT,
            'wechat.msg_type': 'text',
            'wechat.encrypted': false,
            'wechat.push.outcome': 'duplicate',
          },
          value: 1,
        },
      ]);
    });
  });

  describe('waits and fallbacks', () => {
    it('a refresh that waits for another process holding the fleet lock records one lock wait', async () => {
      api.reset();
      // Two instances sharing one Redis prefix start cold at once; WeChat answers slowly, so the
      // one without the lock waits for the holder's token.
      const shared = `otel:${randomUUID()}:`;
      const [a, b] = await Promise.all(
        [0, 1].map(() => {
          const redis = new Redis(REDIS_URL);
          redisClients.push(redis);
          return start({ redis, keyPrefix: shared });
        }),
      );
      api.injectDelay(TOKEN_PATH, 300);
      const before = await otel.collect();
      const tokens = await Promise.all(
        [a, b].map((instance) => instance.get(AccessTokenService).getAccessToken()),
      );
      expect(tokens[0]).toBe(tokens[1]);
      const after = await otel.collect();
      expect(api.calls(TOKEN_PATH)).toBe(1);
      expect(changes(before, after, 'wechat.credential.lock_wait.duration')).toEqual([
        { attributes: { ...DEFAULT, 'wechat.credential.kind': 'access_token' }, value: 1 },
      ]);
    });

    it('Redis stopped: de-dup operations fall back to memory and the token store outage is counted once', async () => {
      const server = await startRedisServer();
      const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
      redisClients.push(redis);
      try {
        const instance = await start({ redis, keyPrefix: prefix });
        await server.stop();
        const before = await otel.collect();
        const res = await post(await urlOf(instance), sim.sign(sim.text('no redis')));
        expect(await res.text()).toContain('echo: no redis');
        await instance.get(AccessTokenService).getAccessToken();
        const after = await otel.collect();
        const fallbacks = changes(before, after, 'wechat.dedup.store_fallbacks');
        expect(fallbacks).toEqual(
          expect.arrayContaining([
            { attributes: { ...DEFAULT, 'wechat.dedup.operation': 'claim' }, value: 1 },
          ]),
        );
        expect(changes(before, after, 'wechat.credential.store.outages')).toEqual([
          { attributes: { ...DEFAULT, 'wechat.credential.kind': 'access_token' }, value: 1 },
        ]);
      } finally {
        await server.stop();
      }
    }, 30_000);
  });

  it('no attribute of any metric or span carries an openid, a token, a secret or message content', async () => {
    const points: MetricPoint[] = await otel.collect();
    const forbiddenValues = [
      OPEN_ID,
      CONTENT,
      SANDBOX_APP_SECRET,
      TOKEN,
      AES_KEY,
      ...api.issuedTokens,
    ];
    const attributeSets: Attributes[] = [
      ...points.map((point) => point.attributes),
      ...otel.allSpans().map((span) => span.attributes),
    ];
    expect(points.length).toBeGreaterThan(10);
    for (const attributes of attributeSets) {
      for (const [key, value] of Object.entries(attributes)) {
        expect(key).not.toMatch(/token|secret|openid|content/i);
        for (const forbidden of forbiddenValues) expect(String(value)).not.toContain(forbidden);
      }
    }
    // Every metric of the module is named and has the unit documented.
    const documented = new Map<string, string>(
      Object.values(WECHAT_METRICS).map((metric) => [metric.name, metric.unit]),
    );
    for (const point of points) expect(documented.get(point.name)).toBe(point.unit);
  });
});
