import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WechatPushSimulator } from '@app/wechat/testing';
import { AppModule } from '../src/app.module';
import { SANDBOX_OPEN_ID, startDemoSandbox, type DemoSandbox } from '../src/sandbox/demo-sandbox';
import { createHttpAdapter, HTTP_ADAPTERS } from './support/http-adapters';
import { clearDemoEnv } from './support/demo-env';

/**
 * The demo as `npm start` (or `HTTP_ADAPTER=fastify npm start`) runs it on a machine with no WeChat
 * credentials (sandbox mode).
 */
describe.each(HTTP_ADAPTERS)('demo app on %s in sandbox mode (no credentials)', (adapter) => {
  let sandbox: DemoSandbox;
  let app: INestApplication;
  let baseUrl: string;
  let restoreEnv: () => void = () => undefined;

  beforeAll(async () => {
    restoreEnv = clearDemoEnv();
    sandbox = (await startDemoSandbox()) as DemoSandbox;
    app = await NestFactory.create(AppModule.register({ sandbox }), createHttpAdapter(adapter), {
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    restoreEnv();
  });

  const json = async <T>(
    path: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${baseUrl}${path}`, init);
    return { status: res.status, body: (await res.json()) as T };
  };

  it('generates safe-mode credentials and points the API client at the local stand-in', () => {
    expect(sandbox).toBeDefined();
    expect(process.env.WECHAT_APP_ID).toBe(sandbox.api.appId);
    expect(process.env.WECHAT_API_BASE_URL).toBe(sandbox.api.url);
    expect(process.env.WECHAT_TOKEN).toMatch(/^[0-9a-f]{32}$/);
    expect(process.env.WECHAT_ENCODING_AES_KEY).toMatch(/^[A-Za-z0-9]{43}$/);
  });

  it('does nothing when WECHAT_APP_ID is set', async () => {
    await expect(startDemoSandbox({ WECHAT_APP_ID: 'wx_real' })).resolves.toBeUndefined();
  });

  it('serves the login page at GET /', async () => {
    const res = await fetch(`${baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<img id="qr"');
    expect(html).toContain('id="simulate-scan"');
  });

  it('issues a QR code rendered locally as a PNG data URL', async () => {
    const { status, body } = await json<Record<string, string>>('/login/qrcode', {
      method: 'POST',
    });
    expect(status).toBe(201);
    expect(body.qrImage).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const png = Buffer.from(body.qrImage.split(',')[1], 'base64');
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(body.url).toBe(sandbox.api.createdQRCodes.at(-1)?.url);
  });

  it.each(['SCAN', 'subscribe'])(
    'logs the user in when the simulated WeChat sends %s through /wechat (safe mode)',
    async (event) => {
      const { body: code } = await json<{ scene: string }>('/login/qrcode', { method: 'POST' });
      const scan = await json<Record<string, unknown>>('/sandbox/scan', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scene: code.scene, event }),
      });
      expect(scan).toEqual({
        status: 200,
        body: { status: 200, encrypted: true, reply: 'Welcome! You are now logged in.' },
      });
      const { body } = await json<Record<string, unknown>>(`/login/qrcode/${code.scene}`);
      expect(body).toEqual({
        status: 'confirmed',
        openId: SANDBOX_OPEN_ID,
        user: {
          subscribe: 1,
          nickname: 'Sandbox User',
          language: 'zh_CN',
          openid: SANDBOX_OPEN_ID,
        },
      });
    },
  );

  it('refuses a simulated scan without a valid scene or event with 400', async () => {
    const post = (body: unknown) =>
      fetch(`${baseUrl}/sandbox/scan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({})).status).toBe(400);
    expect((await post({ scene: '../x' })).status).toBe(400);
    expect((await post({ scene: 'login_1', event: 'CLICK' })).status).toBe(400);
  });

  it('lets a host test push at its handlers in three lines (testing kit)', async () => {
    const sim = WechatPushSimulator.fromApp(app);
    const delivery = await sim.deliver(`${baseUrl}/wechat`, sim.text('hi there'), 'safe');
    expect(delivery.reply?.fields.Content).toBe('hi there');
    expect(delivery.reply?.encrypted).toBe(true);
    expect(delivery.status).toBe(200);
  });

  it('accepts only encrypted pushes (requireEncryption: the sandbox is in safe mode)', async () => {
    expect(process.env.WECHAT_REQUIRE_ENCRYPTION).toBe('true');
    const sim = WechatPushSimulator.fromApp(app);
    const plain = await sim.deliver(`${baseUrl}/wechat`, sim.text('plaintext'), 'plaintext');
    expect(plain.status).toBe(403);
    expect(JSON.parse(plain.body)).toEqual({
      message: 'Encrypted push required',
      error: 'Forbidden',
      statusCode: 403,
    });
  });

  it('reports a refused push with its status and no reply', async () => {
    const stranger = new WechatPushSimulator({ token: 'not-the-token', appId: 'wx_other' });
    const delivery = await stranger.deliver(`${baseUrl}/wechat`, stranger.text('x'));
    expect(delivery.status).toBe(403);
    expect(delivery.reply).toBeUndefined();
  });
});
