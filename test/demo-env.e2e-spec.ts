import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SANDBOX_APP_SECRET,
  startWechatApiServer,
  WechatPushSimulator,
  type SignedWechatPush,
  type WechatApiServer,
} from '@app/wechat/testing';
import { AppModule } from '../src/app.module';
import { clearDemoEnv } from './support/demo-env';
import { startDemoProcess } from './support/demo-process';
import { createHttpAdapter, HTTP_ADAPTERS } from './support/http-adapters';

// An AppID of its own, so nothing it keeps is shared with other suites.
const APP_ID = 'wxde0e2e0e2e0e2e22';
const TOKEN = 'demoEnvCallbackToken';
const AES_KEY = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';

/** What every run of this suite sets: credentials for the local WeChat API stand-in. */
function credentials(api: WechatApiServer): Record<string, string> {
  return {
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: SANDBOX_APP_SECRET,
    WECHAT_TOKEN: TOKEN,
    WECHAT_ENCODING_AES_KEY: AES_KEY,
    WECHAT_API_BASE_URL: api.url,
  };
}

/** The three variables under test, as an operator sets them. */
const HARDENED = {
  WECHAT_MAX_BODY_BYTES: '2048',
  WECHAT_REQUIRE_ENCRYPTION: 'true',
  WECHAT_REPLAY_WINDOW_SECONDS: '60',
};

const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
const now = () => Math.floor(Date.now() / 1000);

/** The pushes the variables decide on, each of which the demo takes with its defaults. */
const pushes = {
  /** A fresh safe-mode push of a few hundred bytes. */
  small: () => sim.sign(sim.text('small'), 'safe'),
  /** A safe-mode push of about 4 KB (over 2048 bytes, well under the default 65536). */
  large: () => sim.sign(sim.text('x'.repeat(3000)), 'safe'),
  /** A plaintext push (refused only when encryption is required). */
  plaintext: () => sim.sign(sim.text('plain')),
  /** A safe-mode push signed 120 s ago (outside a 60 s window, inside the default's). */
  stale: () => sim.sign(sim.text('stale'), 'safe', { timestamp: String(now() - 120) }),
};

/** POSTs a signed push as WeChat does; a 200's reply is checked and decrypted as WeChat would. */
async function post(
  baseUrl: string,
  push: SignedWechatPush,
): Promise<{ status: number; reply?: unknown }> {
  const res = await fetch(`${baseUrl}/wechat?${push.search}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: push.body,
  });
  const body = await res.text();
  if (res.status !== 200) return { status: res.status };
  return { status: 200, reply: (await sim.readReply(body)).fields.Content };
}

/**
 * The demo configured from its environment: `WECHAT_MAX_BODY_BYTES`, `WECHAT_REQUIRE_ENCRYPTION`
 * and `WECHAT_REPLAY_WINDOW_SECONDS` each change what its callback accepts, and the real entry
 * point (`src/main.ts`, as its own process) reads `.env` from its working directory, lets the
 * environment win over it and stops on a bad value with a message naming the variable.
 */
describe('the demo configured from the environment', () => {
  let api: WechatApiServer;
  let restoreEnv: () => void = () => undefined;

  beforeAll(async () => {
    api = await startWechatApiServer({ appId: APP_ID });
  });

  afterAll(async () => {
    await api?.close();
  });

  describe.each(HTTP_ADAPTERS)('on %s', (adapter) => {
    const apps: INestApplication[] = [];

    /** Boots the demo's AppModule with exactly `env` (none of the developer's variables). */
    async function boot(env: Record<string, string>): Promise<string> {
      restoreEnv = clearDemoEnv();
      try {
        Object.assign(process.env, env);
        const app = await NestFactory.create(AppModule.register(), createHttpAdapter(adapter), {
          logger: false,
          abortOnError: false,
        });
        apps.push(app);
        await app.listen(0, '127.0.0.1');
        return await app.getUrl();
      } finally {
        // The options were read when the app started.
        restoreEnv();
      }
    }

    afterAll(async () => {
      for (const app of apps) await app.close();
    });

    it('with its defaults takes every one of those pushes', async () => {
      const url = await boot(credentials(api));
      expect(await post(url, pushes.small())).toEqual({ status: 200, reply: 'small' });
      expect(await post(url, pushes.large())).toEqual({ status: 200, reply: 'x'.repeat(3000) });
      expect(await post(url, pushes.plaintext())).toEqual({ status: 200, reply: 'plain' });
      expect(await post(url, pushes.stale())).toEqual({ status: 200, reply: 'stale' });
    });

    it('with the three variables set refuses each push that breaks one of them', async () => {
      const url = await boot({ ...credentials(api), ...HARDENED });
      expect(await post(url, pushes.small())).toEqual({ status: 200, reply: 'small' });
      // WECHAT_MAX_BODY_BYTES=2048
      expect(await post(url, pushes.large())).toEqual({ status: 413 });
      // WECHAT_REQUIRE_ENCRYPTION=true
      expect(await post(url, pushes.plaintext())).toEqual({ status: 403 });
      // WECHAT_REPLAY_WINDOW_SECONDS=60
      expect(await post(url, pushes.stale())).toEqual({ status: 403 });
    });

    it('WECHAT_REPLAY_WINDOW_SECONDS=0 takes a push signed a year ago (recorded pushes), the default refuses it', async () => {
      const recorded = () =>
        sim.sign(sim.text('recorded'), 'safe', { timestamp: String(now() - 365 * 24 * 3600) });
      const strict = await boot(credentials(api));
      expect(await post(strict, recorded())).toEqual({ status: 403 });
      const off = await boot({ ...credentials(api), WECHAT_REPLAY_WINDOW_SECONDS: '0' });
      expect(await post(off, recorded())).toEqual({ status: 200, reply: 'recorded' });
    });

    it('does not start with a bad value, and names the variable', async () => {
      await expect(boot({ ...credentials(api), WECHAT_MAX_BODY_BYTES: 'lots' })).rejects.toThrow(
        'WECHAT_MAX_BODY_BYTES must be a positive integer (got "lots").',
      );
    });
  });

  describe('npm start (src/main.ts as its own process)', () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'demo-env-e2e-'));
    });

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    const writeEnvFile = (env: Record<string, string>) =>
      writeFileSync(
        join(dir, '.env'),
        Object.entries(env)
          .map(([name, value]) => `${name}=${value}`)
          .join('\n'),
      );

    it('stops on a bad value in .env with one line naming it, and no secret', async () => {
      writeEnvFile({ ...credentials(api), ...HARDENED, WECHAT_REQUIRE_ENCRYPTION: 'maybe' });
      const demo = startDemoProcess(dir);
      expect(await demo.exited).toBe(1);
      const output = demo.output();
      expect(output).toContain('WECHAT_REQUIRE_ENCRYPTION must be true or false (got "maybe").');
      expect(output).not.toContain('listening');
      for (const secret of [SANDBOX_APP_SECRET, TOKEN, AES_KEY]) {
        expect(output).not.toContain(secret);
      }
    }, 60_000);

    it('reads .env from its working directory, the environment winning over it', async () => {
      // .env says maybe (as above); the environment's true wins, the rest comes from .env.
      const demo = startDemoProcess(dir, { WECHAT_REQUIRE_ENCRYPTION: 'true' });
      try {
        const url = await demo.listening();
        expect(demo.output()).not.toContain('SANDBOX MODE');
        expect(await post(url, pushes.small())).toEqual({ status: 200, reply: 'small' });
        expect(await post(url, pushes.large())).toEqual({ status: 413 });
        expect(await post(url, pushes.plaintext())).toEqual({ status: 403 });
        expect(await post(url, pushes.stale())).toEqual({ status: 403 });
      } finally {
        await demo.stop();
      }
    }, 60_000);
  });
});
