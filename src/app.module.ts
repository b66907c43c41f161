import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { RedisModule } from '@liaoliaots/nestjs-redis';
import { WechatModule } from '@app/wechat';
import { wechatConfig } from './config/wechat.config';
import { LoginModule } from './login/login.module';
import type { DemoSandbox } from './sandbox/demo-sandbox';
import { SandboxModule } from './sandbox/sandbox.module';

/** How the demo runs. */
export interface AppOptions {
  /** The simulated WeChat, when main.ts started one: mounts the sandbox-only routes (`/sandbox`). */
  sandbox?: DemoSandbox;
}

/** The demo host app: a stand-in for the monolith that imports the WeChat module. */
@Module({})
export class AppModule {
  /** The app module; the environment (REDIS_URL, WECHAT_*) is read when this is called. */
  static register(options: AppOptions = {}): DynamicModule {
    const redisUrl = process.env.REDIS_URL;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true }),
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
