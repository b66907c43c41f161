import { Injectable } from '@nestjs/common';
import {
  OnWechatEvent,
  OnWechatMessage,
  type WechatContext,
  type WechatEventOfType,
  type WechatMessageOfType,
} from '@app/wechat';
import { LoginService } from './login.service';

export const WELCOME_TEXT = 'Welcome! You are now logged in.';
export const EXPIRED_TEXT = 'This login code has expired. Please refresh the page and scan again.';
const QR_SCENE_PREFIX = 'qrscene_';

/** The demo's WeChat handlers (every account): scan-to-login via subscribe/SCAN, and an echo for text. */
@Injectable()
export class LoginEventsHandler {
  constructor(private readonly login: LoginService) {}

  /** A new follower who scanned a login code (`EventKey` = `qrscene_<scene>`). */
  @OnWechatEvent('subscribe', { eventKey: { prefix: QR_SCENE_PREFIX } })
  async onSubscribeByQr(
    event: WechatEventOfType<'subscribe'>,
    context: WechatContext,
  ): Promise<string> {
    const scene = (event.EventKey ?? '').slice(QR_SCENE_PREFIX.length);
    return this.confirm(scene, event.FromUserName, context.account);
  }

  /** An existing follower who scanned a login code (`EventKey` = `<scene>`). */
  @OnWechatEvent('SCAN')
  async onScan(event: WechatEventOfType<'SCAN'>, context: WechatContext): Promise<string> {
    return this.confirm(event.EventKey ?? '', event.FromUserName, context.account);
  }

  /** Any text message is answered with the same text. */
  @OnWechatMessage('text')
  echo(message: WechatMessageOfType<'text'>): string {
    return message.Content;
  }

  /** Only the account that issued the scene confirms it. */
  private async confirm(scene: string, openId: string, account: string): Promise<string> {
    return (await this.login.confirm(scene, openId, account)) ? WELCOME_TEXT : EXPIRED_TEXT;
  }
}
