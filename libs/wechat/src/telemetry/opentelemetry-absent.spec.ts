// A host without @opentelemetry/api (an optional peer): requiring it fails as Node fails for a
// package that is not installed, and the module loads, answers pushes, calls WeChat and reports
// its health all the same. (test/consumer.e2e-spec.ts checks the same with the packed library in
// an app where the package really is absent.)
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { OnWechatMessage } from '../decorators/on-wechat-message.decorator';
import type { WechatMessageOfType } from '../core/wechat-message.interfaces';
import { WechatHealthIndicator } from '../health/wechat-health.indicator';
import { WechatClientService } from '../api/wechat-client.service';
import { SANDBOX_APP_SECRET, startWechatApiServer, type WechatApiServer } from '../testing';
import { WechatPushSimulator } from '../testing/wechat-push.simulator';
import { loadOptionalPeer } from '../optional-peer.util';
import { WechatModule } from '../wechat.module';
import { openTelemetryApi } from './opentelemetry-api.loader';

jest.mock('@opentelemetry/api', () => {
  throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), {
    code: 'MODULE_NOT_FOUND',
  });
});

const APP_ID = 'wx0a0b0c0d0e0f0001';
const TOKEN = 'noOtelToken1';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';

@Injectable()
class EchoHandler {
  @OnWechatMessage('text')
  echo(message: WechatMessageOfType<'text'>): string {
    return `echo: ${message.Content}`;
  }
}

describe('without @opentelemetry/api installed', () => {
  let api: WechatApiServer;
  let app: INestApplication<App>;

  beforeAll(async () => {
    api = await startWechatApiServer({ appId: APP_ID });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({
          appId: APP_ID,
          appSecret: SANDBOX_APP_SECRET,
          token: TOKEN,
          encodingAESKey: AES_KEY,
          apiBaseUrl: api.url,
        }),
      ],
      providers: [EchoHandler],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await api?.close();
  });

  it('the loader finds no API (the require fails as for a package that is not installed)', () => {
    expect(loadOptionalPeer('@opentelemetry/api')).toBeUndefined();
    expect(openTelemetryApi()).toBeUndefined();
  });

  it('a safe-mode push is answered; a refused one is refused', async () => {
    const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
    const push = sim.sign(sim.text('no telemetry'), 'safe');
    const res = await request(app.getHttpServer())
      .post(`/wechat?${push.search}`)
      .set('Content-Type', 'text/xml')
      .send(push.body);
    expect(res.status).toBe(200);
    expect((await sim.readReply(res.text)).fields.Content).toBe('echo: no telemetry');
    const forged = push.search.replace(/signature=[0-9a-f]+/, 'signature=0');
    const refused = await request(app.getHttpServer())
      .post(`/wechat?${forged}`)
      .set('Content-Type', 'text/xml')
      .send(push.body);
    expect(refused.status).toBe(403);
  });

  it('API calls and the health indicator work', async () => {
    await app.get(WechatClientService).sendCustomMessage({
      touser: 'o_user',
      msgtype: 'text',
      text: { content: 'hi' },
    });
    expect(api.calls('/cgi-bin/message/custom/send')).toBe(1);
    expect(await app.get(WechatHealthIndicator).isHealthy('wechat')).toEqual({
      wechat: { status: 'up', redis: 'in-memory', accounts: { default: { accessToken: 'fresh' } } },
    });
  });
});
