import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { RedisModule } from '@liaoliaots/nestjs-redis';
import { WechatModule } from 'nestjs-wechat-oa';
import { WelcomeHandler } from './welcome.handler';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    RedisModule.forRoot({ config: { url: process.env.REDIS_URL, maxRetriesPerRequest: 1 } }),
    WechatModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        appId: config.getOrThrow<string>('WECHAT_APP_ID'),
        appSecret: config.getOrThrow<string>('WECHAT_APP_SECRET'),
        token: config.getOrThrow<string>('WECHAT_TOKEN'),
        encodingAESKey: config.get<string>('WECHAT_ENCODING_AES_KEY'),
        redis: { clientName: 'default' }, // the RedisModule client above
      }),
    }),
  ],
  providers: [WelcomeHandler],
})
export class AppModule {}
