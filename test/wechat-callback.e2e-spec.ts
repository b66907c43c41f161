import {
  Body,
  ConsoleLogger,
  Controller,
  Injectable,
  Post,
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
  type NestApplicationOptions,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { map, tap, type Observable } from 'rxjs';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { RouterModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { MsgCrypt, WechatModule } from '@app/wechat';
import { WechatPushSimulator, type WechatPushMode } from '@app/wechat/testing';
import { FixtureHandlersModule, HandlerLog } from './fixtures/handlers.fixture';
import { HTTP_ADAPTERS, initApp, type HttpAdapterName } from './support/http-adapters';

/** A host app's own route, to check the module leaves its parsing alone. */
@Controller('host')
class HostController {
  @Post()
  take(@Body() body: unknown): { type: string } {
    return { type: typeof body };
  }
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><MsgType>&lol3;</MsgType></xml>`;

const APP_ID = 'wx1234567890abcdef';
const TOKEN = 'callbackToken123';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OTHER_AES_KEY = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * Events are de-duplicated by sender + CreateTime + event + key (WeChat's retries): tests that send
 * the same event twice on purpose give each delivery its own time.
 */
let lastTime = Math.floor(Date.now() / 1000);
const uniqueTime = (): number => ++lastTime;

async function createApp(
  adapter: HttpAdapterName,
  extra: Record<string, unknown> = {},
  appOptions: NestApplicationOptions = {},
  host: { controllers?: Type[]; configure?: (app: INestApplication<App>) => void } = {},
): Promise<INestApplication<App>> {
  const moduleRef = await Test.createTestingModule({
    controllers: host.controllers ?? [],
    imports: [
      WechatModule.forRoot({
        appId: APP_ID,
        appSecret: 'secret-not-used-here',
        token: TOKEN,
        encodingAESKey: AES_KEY,
        ...extra,
      }),
      FixtureHandlersModule,
    ],
  }).compile();
  return initApp(moduleRef, adapter, appOptions, host.configure);
}

describe.each(HTTP_ADAPTERS)('WeChat callback endpoint on %s (handlers fixture)', (adapter) => {
  let app: INestApplication<App>;
  let log: HandlerLog;
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });

  beforeAll(async () => {
    app = await createApp(adapter);
    log = app.get(HandlerLog);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    log.calls.length = 0;
    log.contexts.length = 0;
  });

  const post = (search: string, body: string, contentType = 'text/xml') =>
    request(app.getHttpServer())
      .post(`/wechat?${search}`)
      .set('Content-Type', contentType)
      .send(body);

  describe('GET URL verification', () => {
    it('echoes echostr exactly, as text/plain', async () => {
      const res = await request(app.getHttpServer()).get(
        `/wechat?${sim.verification('4375120948345356249')}`,
      );
      expect(res.status).toBe(200);
      expect(res.text).toBe('4375120948345356249');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    });

    it('answers the official vector (token AAAAA) on an app configured with it', async () => {
      const other = await Test.createTestingModule({
        // A recorded vector (2024): its timestamp is long outside the default replay window.
        imports: [
          WechatModule.forRoot({
            appId: APP_ID,
            appSecret: 's',
            token: 'AAAAA',
            replayWindowSeconds: 0,
          }),
        ],
      }).compile();
      const otherApp = await initApp(other, adapter);
      try {
        const res = await request(otherApp.getHttpServer()).get(
          '/wechat?signature=f464b24fc39322e44b38aa78f5edd27bd1441696&timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249',
        );
        expect(res.status).toBe(200);
        expect(res.text).toBe('4375120948345356249');
      } finally {
        await otherApp.close();
      }
    });

    it('decrypts a WeCom-style echostr carrying msg_signature', async () => {
      const crypt = new MsgCrypt({ token: TOKEN, encodingAESKey: AES_KEY, appId: APP_ID });
      const echostr = crypt.encrypt('1616140317555161061');
      const { computeSignature } = await import('@app/wechat');
      const timestamp = String(Math.floor(Date.now() / 1000));
      const sig = computeSignature(TOKEN, timestamp, '263014780', echostr);
      const res = await request(app.getHttpServer())
        .get('/wechat')
        .query({ msg_signature: sig, timestamp, nonce: '263014780', echostr });
      expect(res.status).toBe(200);
      expect(res.text).toBe('1616140317555161061');
    });

    it('refuses a missing signature with 401 and a wrong one with 403', async () => {
      const missing = await request(app.getHttpServer()).get('/wechat?echostr=1');
      expect(missing.status).toBe(401);
      const wrong = await request(app.getHttpServer()).get(
        '/wechat?signature=0000000000000000000000000000000000000000&timestamp=1&nonce=2&echostr=3',
      );
      expect(wrong.status).toBe(403);
      expect(wrong.body).toEqual({
        statusCode: 403,
        message: 'Invalid WeChat signature',
        error: 'Forbidden',
      });
    });
  });

  describe.each<WechatPushMode>(['plaintext', 'compatible', 'safe'])('POST in %s mode', (mode) => {
    it('answers a text message with the first handler reply, fields swapped', async () => {
      const push = sim.sign(sim.text('hello 你好 😀'), mode);
      const res = await post(push.search, push.body);
      expect(res.status).toBe(200);
      const reply = await sim.readReply(res.text);
      expect(reply.encrypted).toBe(mode !== 'plaintext');
      expect(reply.fields.ToUserName).toBe(sim.openId);
      expect(reply.fields.FromUserName).toBe(sim.accountId);
      expect(reply.fields.MsgType).toBe('text');
      expect(reply.fields.Content).toBe('first:hello 你好 😀');
      expect(Math.abs(Number(reply.fields.CreateTime) - Date.now() / 1000)).toBeLessThan(5);
      // Both matching handlers ran, in declaration order; the first reply won.
      expect(log.calls).toEqual(['text:hello 你好 😀', 'second:hello 你好 😀']);
      expect(log.contexts[0]).toMatchObject({
        openId: sim.openId,
        accountId: sim.accountId,
        appId: APP_ID,
        encrypted: mode !== 'plaintext',
      });
      expect(log.contexts[0].rawXml).toContain('hello 你好 😀');
    });

    it('routes a SCAN event and a QR subscribe to the stacked handler', async () => {
      const scan = sim.sign(
        sim.event('SCAN', { EventKey: 'scene42', Ticket: 'T', CreateTime: uniqueTime() }),
        mode,
      );
      const scanReply = await sim.readReply((await post(scan.search, scan.body)).text);
      expect(scanReply.fields.Content).toBe('scanned scene42');
      const follow = sim.sign(
        sim.event('subscribe', { EventKey: 'qrscene_7', Ticket: 'T', CreateTime: uniqueTime() }),
        mode,
      );
      const followReply = await sim.readReply((await post(follow.search, follow.body)).text);
      expect(followReply.fields.Content).toBe('scanned qrscene_7');
      expect(log.calls).toEqual(['scanned:SCAN:scene42', 'scanned:subscribe:qrscene_7']);
    });

    it('answers success (unencrypted) when no handler replies', async () => {
      const push = sim.sign(sim.event('unsubscribe', { CreateTime: uniqueTime() }), mode);
      const res = await post(push.search, push.body);
      expect(res.status).toBe(200);
      expect(res.text).toBe('success');
      expect(log.calls).toEqual(['fallback:event']);
    });
  });

  describe('handlers', () => {
    it('a plain subscribe without a QR scene does not match the prefix filter → fallback', async () => {
      const push = sim.sign(sim.event('subscribe'), 'safe');
      const res = await post(push.search, push.body);
      expect(res.text).toBe('success');
      expect(log.calls).toEqual(['fallback:event']);
    });

    it('filters CLICK by RegExp and by exact key', async () => {
      const menu = sim.sign(sim.event('CLICK', { EventKey: 'MENU_12' }));
      expect((await sim.readReply((await post(menu.search, menu.body)).text)).fields.Content).toBe(
        'menu MENU_12',
      );
      const exact = sim.sign(sim.event('CLICK', { EventKey: 'EXACT' }));
      const reply = await sim.readReply((await post(exact.search, exact.body)).text);
      expect(reply.fields.MsgType).toBe('transfer_customer_service');
      expect(reply.fields.TransInfo).toEqual({ KfAccount: 'kf1@test' });
      const other = sim.sign(sim.event('CLICK', { EventKey: 'MENU_X' }));
      expect((await post(other.search, other.body)).text).toBe('success');
      expect(log.calls).toEqual(['menu:MENU_12', 'exact:EXACT', 'fallback:event']);
    });

    it('renders reply objects: news and image', async () => {
      const news = sim.sign(sim.text('news'), 'safe');
      const newsReply = await sim.readReply((await post(news.search, news.body)).text);
      expect(newsReply.fields.MsgType).toBe('news');
      expect(newsReply.fields.ArticleCount).toBe('1');
      expect(newsReply.fields.Articles).toEqual({
        item: { Title: 'T', Description: 'D', PicUrl: 'https://p/1.png', Url: 'https://u/1' },
      });
      const image = sim.sign(sim.text('image'));
      const imageReply = await sim.readReply((await post(image.search, image.body)).text);
      expect(imageReply.fields.Image).toEqual({ MediaId: 'MEDIA_1' });
    });

    it('a handler that throws or rejects is skipped: the next reply wins, WeChat gets 200', async () => {
      for (const content of ['throw', 'reject']) {
        const push = sim.sign(sim.text(content), 'safe');
        const res = await post(push.search, push.body);
        expect(res.status).toBe(200);
        expect((await sim.readReply(res.text)).fields.Content).toBe(`second:${content}`);
      }
    });

    it('an invalid reply (9 news articles) falls back to success', async () => {
      const push = sim.sign(sim.text('nine-articles'));
      const res = await post(push.search, push.body);
      expect(res.status).toBe(200);
      // The first reply is invalid; it still "wins" the slot and is replaced by success.
      expect(res.text).toBe('success');
    });

    it('an unknown message type parses and reaches the fallback', async () => {
      const push = sim.sign(sim.header('hologram', { Depth: '3', MsgId: '1' }), 'safe');
      const res = await post(push.search, push.body);
      expect(res.status).toBe(200);
      expect(res.text).toBe('success');
      expect(log.calls).toEqual(['fallback:hologram']);
    });
  });

  describe('refusals (4xx, never 5xx)', () => {
    it('missing signature → 401, wrong signature → 403, before any handler runs', async () => {
      const push = sim.sign(sim.text('x'));
      const missing = await post('timestamp=1&nonce=2', push.body);
      expect(missing.status).toBe(401);
      const wrong = await post(
        push.search.replace(/signature=[0-9a-f]{4}/, 'signature=ffff'),
        push.body,
      );
      expect(wrong.status).toBe(403);
      expect(log.calls).toEqual([]);
    });

    it('an encrypted push without msg_signature → 401', async () => {
      const push = sim.sign(sim.text('x'), 'safe');
      const res = await post(push.search.replace(/&msg_signature=[0-9a-f]+/, ''), push.body);
      expect(res.status).toBe(401);
    });

    it('a tampered ciphertext → 403 (msg_signature no longer matches)', async () => {
      const push = sim.sign(sim.text('x'), 'safe');
      const tampered = push.body.replace(
        /<Encrypt><!\[CDATA\[(.)/,
        (_m, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`,
      );
      const res = await post(push.search, tampered);
      expect(res.status).toBe(403);
      expect(log.calls).toEqual([]);
    });

    it('a push encrypted for another AppID → 400', async () => {
      const foreign = new WechatPushSimulator({
        token: TOKEN,
        appId: 'wx0000000000000000',
        encodingAESKey: AES_KEY,
      });
      const push = foreign.sign(foreign.text('x'), 'safe');
      const res = await post(push.search, push.body);
      expect(res.status).toBe(400);
      expect(log.calls).toEqual([]);
    });

    it('a push encrypted with another key → 400', async () => {
      const foreign = new WechatPushSimulator({
        token: TOKEN,
        appId: APP_ID,
        encodingAESKey: OTHER_AES_KEY,
      });
      const push = foreign.sign(foreign.text('x'), 'safe');
      expect((await post(push.search, push.body)).status).toBe(400);
    });

    it.each([
      ['malformed XML', '<xml><ToUserName>a</xml>'],
      ['a root other than xml', '<root><MsgType>text</MsgType></root>'],
      ['a missing MsgType', '<xml><ToUserName>a</ToUserName></xml>'],
      ['an empty body', ''],
      [
        'a DOCTYPE with an external entity',
        '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><MsgType>&e;</MsgType></xml>',
      ],
    ])('%s → 400', async (_name, body) => {
      const push = sim.signXml(body || '<xml/>');
      const res = await post(push.search, body);
      expect(res.status).toBe(400);
      expect(res.text.length).toBeLessThan(200);
    });

    it('a body over maxBodyBytes → 413', async () => {
      const push = sim.sign(sim.text('x'.repeat(70 * 1024)));
      const res = await post(push.search, push.body);
      expect(res.status).toBe(413);
    });
  });

  describe('content types (the host keeps Nest default JSON/urlencoded parsers)', () => {
    it.each(['text/xml', 'application/xml', 'text/plain', 'application/octet-stream'])(
      '%s is read raw',
      async (contentType) => {
        const push = sim.sign(sim.text('ct'), 'safe');
        const res = await post(push.search, push.body, contentType);
        expect(res.status).toBe(200);
        expect((await sim.readReply(res.text)).fields.Content).toBe('first:ct');
      },
    );

    it.each([
      'text/xml; charset=utf-8',
      'application/xml;charset=UTF-8',
      'multipart/form-data; boundary=x',
    ])('%s is read raw too', async (contentType) => {
      const push = sim.sign(sim.text('ct2'), 'safe');
      const res = await post(push.search, push.body, contentType);
      expect(res.status).toBe(200);
      expect((await sim.readReply(res.text)).fields.Content).toBe('first:ct2');
    });

    it('a body without any Content-Type is read raw', async () => {
      const push = sim.sign(sim.text('no-ct'), 'safe');
      const res = await request(app.getHttpServer())
        .post(`/wechat?${push.search}`)
        .send(Buffer.from(push.body));
      expect(res.status).toBe(200);
      expect((await sim.readReply(res.text)).fields.Content).toBe('first:no-ct');
    });

    it('JSON and urlencoded bodies stay with the host parsers: 400 and 415, never 5xx', async () => {
      const json = sim.sign(sim.text('json'), 'safe');
      expect((await post(json.search, json.body, 'application/json')).status).toBe(400);
      const form = sim.sign(sim.text('form'), 'safe');
      const res = await post(form.search, form.body, 'application/x-www-form-urlencoded');
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        statusCode: 415,
        message: 'WeChat push body unreadable',
        error: 'Unsupported Media Type',
      });
      expect(log.calls).toEqual([]);
    });
  });

  describe('reply headers', () => {
    it('a reply is application/xml, success is text/plain (both with charset)', async () => {
      const push = sim.sign(sim.text('headers'), 'safe');
      const reply = await post(push.search, push.body);
      expect(reply.headers['content-type']).toBe('application/xml; charset=utf-8');
      const quiet = sim.sign(sim.event('unsubscribe'), 'safe');
      const success = await post(quiet.search, quiet.body);
      expect(success.text).toBe('success');
      expect(success.headers['content-type']).toBe('text/plain; charset=utf-8');
    });
  });
});

describe.each(HTTP_ADAPTERS)('WeChat callback endpoint on %s with rawBody: true', (adapter) => {
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
  let app: INestApplication<App>;
  beforeAll(async () => {
    app = await createApp(adapter, {}, { rawBody: true });
  });
  afterAll(() => app.close());

  it('reads an urlencoded push from the raw copy Nest keeps', async () => {
    const push = sim.sign(sim.text('form'), 'safe');
    const res = await request(app.getHttpServer())
      .post(`/wechat?${push.search}`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(push.body);
    expect(res.status).toBe(200);
    expect((await sim.readReply(res.text)).fields.Content).toBe('first:form');
  });

  it('still reads text/xml from the stream', async () => {
    const push = sim.sign(sim.text('xml'), 'safe');
    const res = await request(app.getHttpServer())
      .post(`/wechat?${push.search}`)
      .set('Content-Type', 'text/xml')
      .send(push.body);
    expect(res.status).toBe(200);
  });
});

/** A host-wide interceptor of the kind many apps install: wraps every handler result as JSON. */
@Injectable()
class WrapResultInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data: unknown) => ({ code: 0, data })));
  }
}

/** Another common one: adds a header once the handler is done. */
@Injectable()
class HandledByInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<{
      setHeader?: (name: string, value: string) => void;
      header?: (name: string, value: string) => void;
    }>();
    return next.handle().pipe(
      tap(() => {
        if (typeof response.setHeader === 'function') response.setHeader('X-Handled-By', 'host');
        else response.header?.('X-Handled-By', 'host');
      }),
    );
  }
}

/** Keeps what the app logs as errors. */
class ErrorRecorder extends ConsoleLogger {
  readonly errors: unknown[] = [];
  override error(message: unknown): void {
    this.errors.push(message);
  }
  override log(): void {}
  override warn(): void {}
}

describe.each(HTTP_ADAPTERS)(
  'WeChat callback endpoint on %s under global result-mapping interceptors',
  (adapter) => {
    const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
    const logger = new ErrorRecorder();
    let app: INestApplication<App>;
    beforeAll(async () => {
      app = await createApp(
        adapter,
        {},
        { logger },
        {
          controllers: [HostController],
          configure: (created) =>
            created.useGlobalInterceptors(new HandledByInterceptor(), new WrapResultInterceptor()),
        },
      );
    });
    afterAll(() => app.close());
    afterEach(() => expect(logger.errors).toEqual([]));

    it('wraps the host routes (the interceptor is in force)', async () => {
      const res = await request(app.getHttpServer()).post('/host').send({ a: 1 });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ code: 0, data: { type: 'object' } });
      expect(res.headers['x-handled-by']).toBe('host');
    });

    it('URL verification still answers echostr exactly', async () => {
      const res = await request(app.getHttpServer()).get(
        `/wechat?${sim.verification('4375120948345356249')}`,
      );
      expect(res.status).toBe(200);
      expect(res.text).toBe('4375120948345356249');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      // Express sends the answer after the interceptors ran; Fastify sends it from the handler.
      expect(res.headers['x-handled-by']).toBe(adapter === 'express' ? 'host' : undefined);
    });

    it('a safe-mode reply is still the encrypted XML WeChat reads', async () => {
      const push = sim.sign(sim.text('wrapped'), 'safe');
      const res = await request(app.getHttpServer())
        .post(`/wechat?${push.search}`)
        .set('Content-Type', 'text/xml')
        .send(push.body);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
      const reply = await sim.readReply(res.text);
      expect(reply.encrypted).toBe(true);
      expect(reply.fields.Content).toBe('first:wrapped');
    });

    it('a push with nothing to say still answers the bare word success', async () => {
      const push = sim.sign(sim.event('unsubscribe', { CreateTime: uniqueTime() }), 'plaintext');
      const res = await request(app.getHttpServer())
        .post(`/wechat?${push.search}`)
        .set('Content-Type', 'text/xml')
        .send(push.body);
      expect(res.status).toBe(200);
      expect(res.text).toBe('success');
    });
  },
);

describe.each(HTTP_ADAPTERS)('WeChat callback endpoint options on %s', (adapter) => {
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });

  it('requireEncryption refuses a plaintext push with 403 and accepts a safe one', async () => {
    const app = await createApp(adapter, { requireEncryption: true });
    try {
      const plain = sim.sign(sim.text('x'));
      const res = await request(app.getHttpServer())
        .post(`/wechat?${plain.search}`)
        .set('Content-Type', 'text/xml')
        .send(plain.body);
      expect(res.status).toBe(403);
      const safe = sim.sign(sim.text('x'), 'safe');
      const ok = await request(app.getHttpServer())
        .post(`/wechat?${safe.search}`)
        .set('Content-Type', 'text/xml')
        .send(safe.body);
      expect(ok.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('replayWindowSeconds refuses an old timestamp with 403 and accepts a fresh one', async () => {
    const app = await createApp(adapter, { replayWindowSeconds: 300 });
    try {
      const old = sim.sign(sim.text('x'), 'plaintext', {
        timestamp: String(Math.floor(Date.now() / 1000) - 301),
      });
      const res = await request(app.getHttpServer())
        .post(`/wechat?${old.search}`)
        .set('Content-Type', 'text/xml')
        .send(old.body);
      expect(res.status).toBe(403);
      const fresh = sim.sign(sim.text('x'));
      const ok = await request(app.getHttpServer())
        .post(`/wechat?${fresh.search}`)
        .set('Content-Type', 'text/xml')
        .send(fresh.body);
      expect(ok.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('decrypts with the previous key during rotation and answers with that key', async () => {
    const app = await createApp(adapter, {
      encodingAESKey: OTHER_AES_KEY,
      previousEncodingAESKey: AES_KEY,
    });
    try {
      const push = sim.sign(sim.text('rotated'), 'safe');
      const res = await request(app.getHttpServer())
        .post(`/wechat?${push.search}`)
        .set('Content-Type', 'text/xml')
        .send(push.body);
      expect(res.status).toBe(200);
      // The simulator only knows the old key: it can read the reply only if that key was used.
      expect((await sim.readReply(res.text)).fields.Content).toBe('first:rotated');
    } finally {
      await app.close();
    }
  });

  it('honours a host prefix from RouterModule and from setGlobalPrefix', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({ appId: APP_ID, appSecret: 's', token: TOKEN }),
        RouterModule.register([{ path: 'api', module: WechatModule }]),
      ],
    }).compile();
    const routed = await initApp(moduleRef, adapter, {}, (nest) => nest.setGlobalPrefix('v1'));
    try {
      const ok = await request(routed.getHttpServer()).get(
        `/v1/api/wechat?${sim.verification('77')}`,
      );
      expect(ok.status).toBe(200);
      expect(ok.text).toBe('77');
      const gone = await request(routed.getHttpServer()).get(`/wechat?${sim.verification('77')}`);
      expect(gone.status).toBe(404);
    } finally {
      await routed.close();
    }
  });

  it('mounts no endpoint with path: false (API client only)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WechatModule.forRoot({ appId: APP_ID, appSecret: 's', path: false })],
    }).compile();
    const bare = await initApp(moduleRef, adapter);
    try {
      const res = await request(bare.getHttpServer()).get(`/wechat?${sim.verification('1')}`);
      expect(res.status).toBe(404);
    } finally {
      await bare.close();
    }
  });

  it('mounts the endpoint at a custom path', async () => {
    const app = await createApp(adapter, { path: 'hooks/wx' });
    try {
      const ok = await request(app.getHttpServer()).get(`/hooks/wx?${sim.verification('42')}`);
      expect(ok.text).toBe('42');
      const gone = await request(app.getHttpServer()).get(`/wechat?${sim.verification('42')}`);
      expect(gone.status).toBe(404);
    } finally {
      await app.close();
    }
  });
});

/** A POST sent by hand: chunked with no Content-Length, or cut off mid-body. */
function rawPost(
  url: string,
  headers: Record<string, string>,
  chunks: readonly Buffer[],
  abortAfterChunks = false,
): Promise<{ status: number; body: string } | 'aborted'> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
      );
    });
    req.on('error', (error) => (abortAfterChunks ? resolve('aborted') : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    if (abortAfterChunks) setTimeout(() => req.destroy(), 50);
    else req.end();
  });
}

describe.each(HTTP_ADAPTERS)('WeChat callback endpoint on %s: hostile input', (adapter) => {
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
  let app: INestApplication<App>;
  let baseUrl: string;
  const tooLarge = {
    statusCode: 413,
    message: 'WeChat push too large',
    error: 'Payload Too Large',
  };

  beforeAll(async () => {
    app = await createApp(adapter);
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app.close());

  /** The endpoint still answers a genuine push. */
  const stillAlive = async (): Promise<void> => {
    const push = sim.sign(sim.text('alive'), 'safe');
    const res = await fetch(`${baseUrl}/wechat?${push.search}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: push.body,
    });
    expect(res.status).toBe(200);
    expect((await sim.readReply(await res.text())).fields.Content).toBe('first:alive');
  };

  it('a chunked body over the cap with no Content-Length → 413, the same JSON on both', async () => {
    const push = sim.sign(sim.text('x'));
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const res = await rawPost(
      `${baseUrl}/wechat?${push.search}`,
      { 'content-type': 'text/xml', 'transfer-encoding': 'chunked' },
      Array.from({ length: 6 }, () => chunk),
    );
    expect(res).not.toBe('aborted');
    if (res === 'aborted') return;
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual(tooLarge);
    await stillAlive();
  });

  it('a declared Content-Length over the cap → 413, the same JSON on both', async () => {
    const push = sim.sign(sim.text('y'.repeat(70 * 1024)));
    const res = await request(app.getHttpServer())
      .post(`/wechat?${push.search}`)
      .set('Content-Type', 'application/octet-stream')
      .send(push.body);
    expect(res.status).toBe(413);
    expect(res.body).toEqual(tooLarge);
  });

  it('an oversized body with a wrong signature is refused by the guard first (403)', async () => {
    const push = sim.sign(sim.text('z'.repeat(70 * 1024)));
    const res = await request(app.getHttpServer())
      .post(`/wechat?${push.search.replace(/signature=[0-9a-f]{4}/, 'signature=ffff')}`)
      .set('Content-Type', 'text/xml')
      .send(push.body);
    expect(res.status).toBe(403);
  });

  it('a client that goes away mid-body does not crash the app', async () => {
    const push = sim.sign(sim.text('cut'));
    const res = await rawPost(
      `${baseUrl}/wechat?${push.search}`,
      { 'content-type': 'text/xml', 'content-length': '4000' },
      [Buffer.from(push.body.slice(0, 20))],
      true,
    );
    expect(res).toBe('aborted');
    await stillAlive();
  });

  it.each([
    ['random binary', randomBytes(2048)],
    ['invalid UTF-8', Buffer.from([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0xfe, 0xc0, 0x3c])],
    ['a billion-laughs DOCTYPE', Buffer.from(BILLION_LAUGHS)],
    ['deep nesting', Buffer.from(`<xml>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</xml>`)],
  ])('%s → 400', async (_name, body) => {
    const push = sim.signXml('<xml/>');
    const res = await request(app.getHttpServer())
      .post(`/wechat?${push.search}`)
      .set('Content-Type', 'text/xml')
      .send(body);
    expect(res.status).toBe(400);
  });

  it('repeated query parameters → 401', async () => {
    const push = sim.sign(sim.text('dup'));
    const res = await request(app.getHttpServer())
      .post(`/wechat?${push.search}&signature=a&timestamp=b&nonce=c`)
      .set('Content-Type', 'text/xml')
      .send(push.body);
    expect(res.status).toBe(401);
  });

  it('a Content-Type that is no media type → 4xx or read raw, never 5xx', async () => {
    // Express reads it raw; Fastify refuses it with 415 before any route code runs.
    const push = sim.sign(sim.text('bad-ct'), 'safe');
    const res = await request(app.getHttpServer())
      .post(`/wechat?${push.search}`)
      .set('Content-Type', 'not a media type')
      .send(push.body);
    expect(res.status).toBe(adapter === 'fastify' ? 415 : 200);
    await stillAlive();
  });

  it('leaves the host routes alone: an unknown type on another route answers as without the module', async () => {
    const reference = await Test.createTestingModule({ controllers: [HostController] }).compile();
    const bare = await initApp(reference, adapter);
    const withModule = await Test.createTestingModule({
      imports: [WechatModule.forRoot({ appId: APP_ID, appSecret: 's', token: TOKEN })],
      controllers: [HostController],
    }).compile();
    const hosted = await initApp(withModule, adapter);
    try {
      for (const contentType of ['text/xml', 'application/json']) {
        const send = (target: INestApplication<App>) =>
          request(target.getHttpServer())
            .post('/host')
            .set('Content-Type', contentType)
            .send(contentType === 'text/xml' ? '<xml/>' : '{"a":1}');
        const [expected, actual] = await Promise.all([send(bare), send(hosted)]);
        expect({ status: actual.status, body: actual.body as unknown }).toEqual({
          status: expected.status,
          body: expected.body as unknown,
        });
      }
    } finally {
      await Promise.all([bare.close(), hosted.close()]);
    }
  });
});
