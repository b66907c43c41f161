import { registerAs } from '@nestjs/config';
import type { WechatModuleOptions } from '@app/wechat';
import { demoWechatRedis, readDemoRedis } from '../redis/demo-redis';

/**
 * The demo's WeChat configuration, read from the environment. Used as
 * `WechatModule.forRootAsync(wechatConfig.asProvider())`.
 */
export const wechatConfig = registerAs('wechat', (): WechatModuleOptions => ({
  appId: process.env.WECHAT_APP_ID ?? '',
  appSecret: process.env.WECHAT_APP_SECRET ?? '',
  token: process.env.WECHAT_TOKEN,
  encodingAESKey: process.env.WECHAT_ENCODING_AES_KEY || undefined,
  apiBaseUrl: process.env.WECHAT_API_BASE_URL || undefined,
  requireEncryption: process.env.WECHAT_REQUIRE_ENCRYPTION === 'true',
  redis: demoWechatRedis(readDemoRedis()),
}));
