// One instance of a host app with the WeChat callback endpoint, as its own OS process, for the
// multi-instance tests: node -r ts-node/register/transpile-only -r tsconfig-paths/register
// test/support/callback-instance.ts, configured by CALLBACK_INSTANCE (JSON). Prints one line
// {"url": ...} when it listens; exits 0 after a graceful shutdown on SIGTERM.
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { WechatModule, type WechatModuleOptions } from '@app/wechat';
import { RetryHandlersModule } from '../fixtures/retry-handlers.fixture';
import { storeClient, type CallbackInstanceStore } from './store-clients';

/** What the parent passes in CALLBACK_INSTANCE. */
export interface CallbackInstanceConfig {
  /** The Redis the handlers count their runs in (and the module's, unless `store` is given). */
  redisUrl: string;
  counterPrefix: string;
  options: Omit<WechatModuleOptions, 'redis'>;
  /** The module's Redis: another URL (a delay proxy), a Cluster or a Sentinel-managed primary. */
  store?: CallbackInstanceStore;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CALLBACK_INSTANCE ?? '{}') as CallbackInstanceConfig;
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const store = config.store ? storeClient(config.store) : redis;
  store.on('error', () => undefined);
  const app = await NestFactory.create(
    {
      module: class CallbackInstanceModule {},
      imports: [
        WechatModule.forRoot({ ...config.options, redis: store }),
        RetryHandlersModule.register(redis, config.counterPrefix),
      ],
    },
    { logger: ['error'] },
  );
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`${JSON.stringify({ url: await app.getUrl() })}\n`);
  process.once('exit', () => {
    redis.disconnect();
    store.disconnect();
  });
}

void main();
