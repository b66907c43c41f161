import { Module } from '@nestjs/common';
import { WechatModule } from 'nestjs-wechat-oa';
import { WelcomeHandler } from './welcome.handler';

// No Redis: the token and the push de-dup live in this process (one instance only).
@Module({
  imports: [
    WechatModule.forRoot({
      appId: process.env.WECHAT_APP_ID ?? '',
      appSecret: process.env.WECHAT_APP_SECRET ?? '',
      token: process.env.WECHAT_TOKEN,
      encodingAESKey: process.env.WECHAT_ENCODING_AES_KEY,
    }),
  ],
  providers: [WelcomeHandler],
})
export class AppModule {}
