import { registerAs } from '@nestjs/config';
import type { WechatModuleOptions } from '@app/wechat';
import { parseWechatAccounts } from './wechat-accounts.env';

/**
 * The demo's WeChat configuration, read from the environment. Used as
 * `WechatModule.forRootAsync(wechatConfig.asProvider())`.
 *
 * - `WECHAT_APP_ID`, `WECHAT_APP_SECRET`, `WECHAT_TOKEN`, `WECHAT_ENCODING_AES_KEY`: one account,
 *   the default one (`/wechat`).
 * - `WECHAT_ACCOUNTS`: a JSON array of more accounts, each served at `/wechat/<name>`.
 * - `WECHAT_API_BASE_URL` and `REDIS_URL` apply to all of them.
 */
export const wechatConfig = registerAs('wechat', (): WechatModuleOptions => {
  const accounts = parseWechatAccounts(process.env.WECHAT_ACCOUNTS);
  const appId = process.env.WECHAT_APP_ID;
  const single =
    accounts === undefined || appId
      ? {
          appId: appId ?? '',
          appSecret: process.env.WECHAT_APP_SECRET ?? '',
          token: process.env.WECHAT_TOKEN,
          encodingAESKey: process.env.WECHAT_ENCODING_AES_KEY || undefined,
        }
      : {};
  return {
    ...single,
    accounts,
    apiBaseUrl: process.env.WECHAT_API_BASE_URL || undefined,
    redis: process.env.REDIS_URL ? { clientName: 'default' } : undefined,
  };
});
