import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { RedisModule } from '@liaoliaots/nestjs-redis';
import { WechatModule } from '@app/wechat';
import { wechatConfig } from './config/wechat.config';
import { LoginModule } from './login/login.module';

/** Redis for the demo when REDIS_URL is set; otherwise everything stays in memory. */
function redisImports(): DynamicModule[] {
  const url = process.env.REDIS_URL;
  return url ? [RedisModule.forRoot({ config: { url }, readyLog: false, closeClient: true })] : [];
}

/** The demo host app: a stand-in for the monolith that imports the WeChat module. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    ...redisImports(),
    WechatModule.forRootAsync({ ...wechatConfig.asProvider(), isGlobal: true }),
    LoginModule,
  ],
})
export class AppModule {}
