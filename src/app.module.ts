import { Module, type DynamicModule } from '@nestjs/common';
import { WechatModule } from '@app/wechat';
import { environmentOnly } from './config/env-file.loader';
import { wechatConfig } from './config/wechat.config';
import { LoginModule } from './login/login.module';
import { installDemoMetrics } from './observability/demo-metrics';
import { ObservabilityModule } from './observability/observability.module';
import { demoRedisModules, readDemoRedis } from './redis/demo-redis';
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
   * The app module. The `REDIS_*` variables are read when this is called, the `WECHAT_*` ones
   * when the app starts (see `config/wechat-env.table.ts`).
   *
   * @throws DemoEnvError when a `REDIS_*` variable is malformed.
   */
  static register(options: AppOptions = {}): DynamicModule {
    // The metrics SDK goes in before the first push, as in a host app's bootstrap.
    installDemoMetrics();
    return {
      module: AppModule,
      imports: [
        options.config ?? environmentOnly(),
        // A Cluster, a Sentinel-managed primary or REDIS_URL; none → token and scenes in memory.
        ...demoRedisModules(readDemoRedis()),
        WechatModule.forRootAsync({ ...wechatConfig.asProvider(), isGlobal: true }),
        LoginModule,
        ObservabilityModule,
        ...(options.sandbox ? [SandboxModule.register(options.sandbox)] : []),
      ],
    };
  }
}
