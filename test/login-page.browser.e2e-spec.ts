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
    'shows the QR code, and "simulate %s" logs the user in',
    async (kind) => {
      const page = await browser.newPage();
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
        await page.locator('#sandbox').waitFor({ state: 'visible' });

        await page.click(kind === 'scan' ? '#simulate-scan' : '#simulate-subscribe');

        const status = page.locator('#status[data-state="confirmed"]');
        await status.waitFor({ timeout: 10_000 });
        expect(await status.textContent()).toBe(`Logged in as ${SANDBOX_OPEN_ID} (Sandbox User)`);
        mkdirSync(OUTPUT_DIR, { recursive: true });
        await page.screenshot({ path: join(OUTPUT_DIR, `login-page-${kind}.png`) });
      } finally {
        await page.close();
      }
    },
  );

  it('switches to the sandbox account "shop" and logs in there', async () => {
    const page = await browser.newPage();
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
      await page.click('#simulate-scan');
      const status = page.locator('#status[data-state="confirmed"]');
      await status.waitFor({ timeout: 10_000 });
      expect(await status.textContent()).toBe(`Logged in as ${SANDBOX_OPEN_ID} (Sandbox User)`);
      expect(sandbox.api.callsFor('/cgi-bin/qrcode/create', SANDBOX_SHOP_APP_ID)).toBe(1);
    } finally {
      await page.close();
    }
  });
});
