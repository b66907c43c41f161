// One host app instance with a `menu` option, as its own OS process, for the menus-as-code
// tests: forked by test/support/menu-instances.ts with ts-node. It loads everything, reports
// {"type":"loaded"} over IPC, builds and starts the app when told {"type":"go"} (so several
// instances start together), reports {"type":"started"} and exits.
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { WechatModule, type WechatModuleOptions } from '@app/wechat';

/** What the parent sends with "go". */
export interface MenuInstanceConfig {
  redisUrl: string;
  options: Omit<WechatModuleOptions, 'redis'>;
}

process.on('message', (message: { type: string; config?: MenuInstanceConfig }) => {
  if (message.type !== 'go' || !message.config) return;
  const { redisUrl, options } = message.config;
  void (async () => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    const app = await NestFactory.createApplicationContext(
      WechatModule.forRoot({ ...options, redis, path: false }),
      { logger: ['log', 'warn', 'error'] },
    );
    await app.close();
    redis.disconnect();
    process.send?.({ type: 'started' }, () => process.exit(0));
  })();
});
process.send?.({ type: 'loaded' });
