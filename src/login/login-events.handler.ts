import { Injectable } from '@nestjs/common';
import {
  OnWechatEvent,
  OnWechatMessage,
  type WechatEventOfType,
  type WechatMessageOfType,
} from '@app/wechat';
import { LoginService } from './login.service';

export const WELCOME_TEXT = 'Welcome! You are now logged in.';
export const EXPIRED_TEXT = 'This login code has expired. Please refresh the page and scan again.';
const QR_SCENE_PREFIX = 'qrscene_';

/** The demo's WeChat handlers: scan-to-login via subscribe/SCAN, and an echo for text. */
@Injectable()
export class LoginEventsHandler {
  constructor(private readonly login: LoginService) {}

  /** A new follower who scanned a login code (`EventKey` = `qrscene_<scene>`). */
  @OnWechatEvent('subscribe', { eventKey: { prefix: QR_SCENE_PREFIX } })
  async onSubscribeByQr(event: WechatEventOfType<'subscribe'>): Promise<string> {
    const scene = (event.EventKey ?? '').slice(QR_SCENE_PREFIX.length);
    return this.confirm(scene, event.FromUserName);
  }

  /** An existing follower who scanned a login code (`EventKey` = `<scene>`). */
  @OnWechatEvent('SCAN')
  async onScan(event: WechatEventOfType<'SCAN'>): Promise<string> {
    return this.confirm(event.EventKey ?? '', event.FromUserName);
  }

  /** Any text message is answered with the same text. */
  @OnWechatMessage('text')
  echo(message: WechatMessageOfType<'text'>): string {
    return message.Content;
  }

  private async confirm(scene: string, openId: string): Promise<string> {
    return (await this.login.confirm(scene, openId)) ? WELCOME_TEXT : EXPIRED_TEXT;
  }
}
