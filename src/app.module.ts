import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { WechatModule } from '@app/wechat';
import { wechatConfig } from './config/wechat.config';
import { LoginModule } from './login/login.module';
import { demoRedisModules, readDemoRedis } from './redis/demo-redis';
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
  /** The app module; the environment (REDIS_*, WECHAT_*) is read when this is called. */
  static register(options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true }),
        // A Cluster, a Sentinel-managed primary or REDIS_URL; none → token and scenes in memory.
        ...demoRedisModules(readDemoRedis()),
        WechatModule.forRootAsync({ ...wechatConfig.asProvider(), isGlobal: true }),
        LoginModule,
        ...(options.sandbox ? [SandboxModule.register(options.sandbox)] : []),
      ],
    };
  }
}
