import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { startWechatApiServer, type WechatApiServer } from '@app/wechat/testing';

/** The openid the sandbox's simulated scans come from. */
export const SANDBOX_OPEN_ID = 'o_sandbox_user_01';

/** The sandbox user's avatar: a small inline picture, so the page works offline. */
export const SANDBOX_AVATAR =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#07c160"/><text x="32" y="42" font-size="30" text-anchor="middle" fill="#fff" font-family="sans-serif">S</text></svg>',
  );
/** The second sandbox account, served at `/wechat/shop`. */
export const SANDBOX_SHOP_ACCOUNT = 'shop';
/** Its AppID at the WeChat API stand-in. */
export const SANDBOX_SHOP_APP_ID = 'wx5b0c0d0e0f1a2b3c';

/** The running sandbox: the local WeChat API stand-in and the credentials the demo was given. */
export interface DemoSandbox {
  readonly api: WechatApiServer;
  close(): Promise<void>;
}

/**
 * Starts the demo in sandbox mode when neither `WECHAT_APP_ID` nor `WECHAT_ACCOUNTS` is set: a
 * local stand-in for WeChat's API on loopback with two Official Accounts, `default` (at `/wechat`)
 * and `shop` (at `/wechat/shop`), each with a generated callback token and EncodingAESKey (safe
 * mode), written into the environment the demo's config reads. Returns `undefined` (and changes
 * nothing) when real credentials are configured. Only the demo calls this; the library never
 * starts a sandbox.
 */
export async function startDemoSandbox(
  env: NodeJS.ProcessEnv = process.env,
): Promise<DemoSandbox | undefined> {
  if (env.WECHAT_APP_ID || env.WECHAT_ACCOUNTS) return undefined;
  const shopSecret = randomBytes(16).toString('hex');
  const api = await startWechatApiServer({
    accounts: [{ appId: SANDBOX_SHOP_APP_ID, appSecret: shopSecret }],
  });
  api.setUser(SANDBOX_OPEN_ID, { subscribe: 1, nickname: 'Sandbox User', language: 'zh_CN' });
  api.setOAuthUser({
    openid: SANDBOX_OPEN_ID,
    nickname: 'Sandbox User',
    headimgurl: SANDBOX_AVATAR,
  });
  const shop = {
    name: SANDBOX_SHOP_ACCOUNT,
    appId: SANDBOX_SHOP_APP_ID,
    appSecret: shopSecret,
    token: randomBytes(16).toString('hex'),
    encodingAESKey: newEncodingAESKey(),
  };
  Object.assign(env, {
    WECHAT_APP_ID: api.appId,
    WECHAT_APP_SECRET: api.appSecret,
    WECHAT_TOKEN: randomBytes(16).toString('hex'),
    WECHAT_ENCODING_AES_KEY: newEncodingAESKey(),
    WECHAT_ACCOUNTS: JSON.stringify([shop]),
    WECHAT_API_BASE_URL: api.url,
    // Web authorization through the sandbox's own authorize page.
    WECHAT_OAUTH_BASE_URL: api.url,
    // The simulated WeChat sends safe-mode pushes only: refuse plaintext, as a host should once
    // its admin console is in safe mode.
    WECHAT_REQUIRE_ENCRYPTION: 'true',
  });
  const logger = new Logger('Sandbox');
  logger.warn('='.repeat(78));
  logger.warn('SANDBOX MODE: no WECHAT_APP_ID is set, so WeChat is simulated on this machine.');
  logger.warn(`The WeChat API stand-in runs at ${api.url}; safe mode (AES) is on.`);
  logger.warn('Two sandbox accounts: "default" at /wechat and "shop" at /wechat/shop.');
  logger.warn('Set WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TOKEN to talk to the real WeChat.');
  logger.warn('='.repeat(78));
  return { api, close: () => api.close() };
}

/** An EncodingAESKey: 43 letters and digits, as the admin console generates it. */
function newEncodingAESKey(): string {
  return randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'x');
}
