import { Injectable, Logger } from '@nestjs/common';
import { OnWechatEvent, type WechatContext, type WechatEventOfType } from 'nestjs-wechat-oa';

@Injectable()
export class WelcomeHandler {
  private readonly logger = new Logger(WelcomeHandler.name);

  // A string is a text reply (encrypted in safe mode); returning nothing answers `success`.
  @OnWechatEvent('subscribe')
  welcome(event: WechatEventOfType<'subscribe'>, context: WechatContext): string {
    this.logger.log('A new follower was welcomed'); // never log the openid
    return `Welcome, ${event.FromUserName}! (${context.encrypted ? 'safe mode' : 'plaintext'})`;
  }
}
