import { Module, type DynamicModule } from '@nestjs/common';
import { RedisModule } from '@liaoliaots/nestjs-redis';
import { WechatModule } from '@app/wechat';
import { redisUrlFromEnv } from './config/demo-env.parser';
import { environmentOnly } from './config/env-file.loader';
import { wechatConfig } from './config/wechat.config';
import { LoginModule } from './login/login.module';
import type { DemoSandbox } from './sandbox/demo-sandbox';
import { SandboxModule } from './sandbox/sandbox.module';

/** How the demo runs. */
export interface AppOptions {
  /** The simulated WeChat, when main.ts started one: mounts the sandbox-only routes (`/sandbox`). */
  sandbox?: DemoSandbox;
  /**
   * The global `ConfigModule`: main.ts passes the one that read `.env` (`loadEnvFile()`). Default:
   * one that reads no file, so a test's app sees only the environment it was given.
   */
  config?: DynamicModule | Promise<DynamicModule>;
}

/** The demo host app: a stand-in for the monolith that imports the WeChat module. */
@Module({})
export class AppModule {
  /**
   * The app module. `REDIS_URL` is read when this is called, the `WECHAT_*` variables when the app
   * starts (see `config/wechat-env.table.ts`).
   *
   * @throws DemoEnvError when `REDIS_URL` is not a Redis URL.
   */
  static register(options: AppOptions = {}): DynamicModule {
    const redisUrl = redisUrlFromEnv(process.env);
    return {
      module: AppModule,
      imports: [
        options.config ?? environmentOnly(),
        // Redis when REDIS_URL is set; otherwise the token and the login scenes stay in memory.
        ...(redisUrl
          ? [
              RedisModule.forRoot({
                // Fail fast while Redis is down; the module batches its own commands (see README).
                config: { url: redisUrl, maxRetriesPerRequest: 1 },
                readyLog: false,
                closeClient: true,
              }),
            ]
          : []),
        WechatModule.forRootAsync({ ...wechatConfig.asProvider(), isGlobal: true }),
        LoginModule,
        ...(options.sandbox ? [SandboxModule.register(options.sandbox)] : []),
      ],
    };
  }
}
