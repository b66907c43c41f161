import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { chromium, type Browser } from 'playwright-core';
import { AppModule } from '../src/app.module';
import {
  SANDBOX_OPEN_ID,
  SANDBOX_SHOP_APP_ID,
  startDemoSandbox,
  type DemoSandbox,
} from '../src/sandbox/demo-sandbox';
import { clearDemoEnv } from './support/demo-env';

/** Debian's `chromium` package (what .ci/run installs); override with CHROMIUM_PATH. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT_DIR = join(__dirname, '..', 'test-output');
/**
 * The README's promise, in a real headless Chromium: open the demo's page with no credentials
 * configured, see the QR code, click "Simulate scan", see the login complete.
 */
describe('login page in headless Chromium (sandbox mode)', () => {
  let sandbox: DemoSandbox;
  let app: INestApplication;
  let browser: Browser;
  let baseUrl: string;
  let restoreEnv: () => void = () => undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM_PATH}: install it (Debian/Ubuntu: \`apt-get install -y chromium\`) or set CHROMIUM_PATH.`,
      );
    }
    restoreEnv = clearDemoEnv();
    sandbox = (await startDemoSandbox()) as DemoSandbox;
    app = await NestFactory.create(AppModule.register({ sandbox }), { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    restoreEnv();
  });

  it.each(['scan', 'subscribe'])(
    'desktop: shows the QR code, and "simulate %s" logs the user in, QR hidden, then logs out',
    async (kind) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      try {
        await page.goto(`${baseUrl}/`);
        const qr = page.locator('img#qr');
        await qr.waitFor({ state: 'visible' });
        // The image has decoded (a broken data URL would have naturalWidth 0).
        await page.waitForFunction(
          "(() => { const img = document.querySelector('img#qr'); return img.complete && img.naturalWidth > 0; })()",
        );
        expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
        expect(await page.locator('#status').getAttribute('data-state')).toBe('pending');
        expect(await page.title()).toBe('Nest WeChat Demo · Log in');
        // Side by side on a desktop: web authorization left of the QR code.
        const oauthBox = await page.locator('#oauth-login').boundingBox();
        const qrBox = await qr.boundingBox();
        expect(oauthBox && qrBox && oauthBox.x < qrBox.x).toBe(true);
        await page.locator('#sandbox').waitFor({ state: 'visible' });

        await page.click(kind === 'scan' ? '#simulate-scan' : '#simulate-subscribe');

        await page.locator('#logged-in').waitFor({ state: 'visible', timeout: 10_000 });
        expect(await page.locator('#name').textContent()).toBe('Sandbox User');
        expect(await page.locator('#logged-in-status').textContent()).toBe(
          'Logged in by scanning the QR code',
        );
        expect(await qr.isVisible()).toBe(false);
        expect(await page.locator('#sandbox').isVisible()).toBe(false);
        mkdirSync(OUTPUT_DIR, { recursive: true });
        await page.screenshot({ path: join(OUTPUT_DIR, `login-page-${kind}.png`) });

        // The session survives a reload, and log-out ends it.
        await page.reload();
        await page.locator('#logged-in').waitFor({ state: 'visible' });
        await page.click('#logout');
        await page.locator('#logged-out').waitFor({ state: 'visible' });
        await qr.waitFor({ state: 'visible' });
      } finally {
        await context.close();
      }
    },
  );

  it('phone (390×844): leads with "Log in with WeChat", goes through the authorize page, shows name and avatar', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    try {
      await page.goto(`${baseUrl}/`);
      const button = page.locator('#oauth-login');
      await button.waitFor({ state: 'visible' });
      await page.locator('img#qr').waitFor({ state: 'visible' });
      const buttonBox = await button.boundingBox();
      const qrBox = await page.locator('img#qr').boundingBox();
      // First on a phone: the button is above the QR code and inside the first screen.
      expect(buttonBox && qrBox && buttonBox.y < qrBox.y).toBe(true);
      expect(buttonBox && buttonBox.y + buttonBox.height < 844).toBe(true);
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await page.screenshot({ path: join(OUTPUT_DIR, 'login-page-phone.png') });

      await button.click();
      // The sandbox's authorize page (snsapi_userinfo asks for consent), served by the WeChat stand-in.
      await page.waitForURL(`${sandbox.api.url}/connect/oauth2/authorize?**`);
      await page.click('#allow');
      await page.waitForURL(`${baseUrl}/`);
      await page.locator('#logged-in').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.locator('#name').textContent()).toBe('Sandbox User');
      expect(await page.locator('#logged-in-status').textContent()).toBe('Logged in with WeChat');
      await page.waitForFunction(
        "(() => { const img = document.querySelector('#avatar img'); return img && img.complete && img.naturalWidth > 0; })()",
      );
      expect(await page.locator('img#qr').isVisible()).toBe(false);
      await page.screenshot({ path: join(OUTPUT_DIR, 'login-page-phone-logged-in.png') });
      const me = await page.evaluate(async () => (await fetch('/me')).json());
      expect(me).toMatchObject({ openId: SANDBOX_OPEN_ID, nickname: 'Sandbox User', via: 'oauth' });
    } finally {
      await context.close();
    }
  });

  it('switches to the sandbox account "shop" and logs in there, by QR code and by web authorization', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(`${baseUrl}/`);
      await page.locator('#accounts').waitFor({ state: 'visible' });
      expect(await page.locator('#account option').allTextContents()).toEqual(['default', 'shop']);
      await page.locator('#status[data-state="pending"]').waitFor();
      const firstScene = await page.locator('img#qr').getAttribute('data-scene');
      await page.selectOption('#account', 'shop');
      await page.waitForFunction(
        `document.querySelector('img#qr').dataset.scene !== ${JSON.stringify(firstScene)}`,
      );
      await page.locator('#status[data-state="pending"]').waitFor();
      expect(await page.locator('#oauth-login').getAttribute('href')).toBe(
        '/auth/wechat?scope=snsapi_userinfo&returnTo=%2F&account=shop',
      );
      await page.click('#simulate-scan');
      await page.locator('#logged-in').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.locator('#logged-in-status').textContent()).toBe(
        'Logged in by scanning the QR code · shop',
      );
      expect(sandbox.api.callsFor('/cgi-bin/qrcode/create', SANDBOX_SHOP_APP_ID)).toBe(1);

      // Web authorization at the shop account too.
      await page.click('#logout');
      await page.locator('#logged-out').waitFor({ state: 'visible' });
      await page.selectOption('#account', 'shop');
      await page.locator('#status[data-state="pending"]').waitFor();
      await page.click('#oauth-login');
      await page.waitForURL(`${sandbox.api.url}/connect/oauth2/authorize?**`);
      expect(new URL(page.url()).searchParams.get('appid')).toBe(SANDBOX_SHOP_APP_ID);
      await page.click('#allow');
      await page.locator('#logged-in').waitFor({ state: 'visible', timeout: 10_000 });
      const me = await page.evaluate(async () => (await fetch('/me')).json());
      expect(me).toMatchObject({ openId: SANDBOX_OPEN_ID, account: 'shop', via: 'oauth' });
    } finally {
      await context.close();
    }
  });

  it('serves its icon (no 404 for /favicon.ico)', async () => {
    const res = await fetch(`${baseUrl}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  });
});
