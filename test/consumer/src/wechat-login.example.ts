import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Injectable, Query, UseGuards } from '@nestjs/common';
import {
  WechatJssdkService,
  WechatOAuthGuard,
  WechatOAuthUser,
  type WechatJssdkConfig,
  type WechatOAuthResult,
  type WechatOAuthSession,
} from 'nestjs-wechat-oa';

interface SessionUser {
  openId: string;
  unionId?: string;
  /** A virtual user of a page snapshot: show the page, never create an account for it. */
  snapshot: boolean;
}

/** The host's session: here a signed cookie with the openid (any session store works). */
@Injectable()
export class CookieSession implements WechatOAuthSession<SessionUser> {
  private readonly secret = process.env.SESSION_SECRET ?? 'change-me';

  read(request: IncomingMessage): SessionUser | undefined {
    const cookie = /(?:^|;\s*)wx_session=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    const [payload, mac] = (cookie ?? '').split('.');
    if (!payload || !mac) return undefined;
    const expected = this.sign(payload);
    if (
      mac.length !== expected.length ||
      !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))
    ) {
      return undefined;
    }
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionUser;
  }

  write(_request: IncomingMessage, response: ServerResponse, result: WechatOAuthResult): void {
    const user: SessionUser = {
      openId: result.openId,
      unionId: result.unionId,
      snapshot: result.isSnapshotUser,
    };
    const payload = Buffer.from(JSON.stringify(user)).toString('base64url');
    response.setHeader(
      'Set-Cookie',
      `wx_session=${payload}.${this.sign(payload)}; HttpOnly; Secure; SameSite=Lax; Path=/`,
    );
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

@Controller()
export class ShopController {
  constructor(private readonly jssdk: WechatJssdkService) {}

  /** Opened inside WeChat: a user without a session is sent through web authorization first. */
  @Get('orders')
  @UseGuards(
    WechatOAuthGuard({
      scope: 'snsapi_base',
      session: CookieSession,
      publicBaseUrl: 'https://m.shop.example', // as users reach the app, behind any proxy
    }),
  )
  orders(@WechatOAuthUser() user: SessionUser): { openId: string } {
    return { openId: user.openId };
  }

  /** The page sends its own URL: `location.href.split('#')[0]`. */
  @Get('jssdk/config')
  config(@Query('url') url: string): Promise<WechatJssdkConfig> {
    return this.jssdk.getConfig({ url, jsApiList: ['updateAppMessageShareData', 'scanQRCode'] });
  }
}
