import { registerAs } from '@nestjs/config';
import type { WechatModuleOptions } from '@app/wechat';
import { wechatOptionsFromEnv } from './wechat-env.parser';

/**
 * The demo's WeChat configuration, read from the environment (`WECHAT_*` and `REDIS_URL`, see
 * `wechat-env.table.ts`) when the app starts. Used as
 * `WechatModule.forRootAsync(wechatConfig.asProvider())`.
 */
export const wechatConfig = registerAs('wechat', (): WechatModuleOptions =>
  wechatOptionsFromEnv(process.env),
);
