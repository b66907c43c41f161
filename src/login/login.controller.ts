import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { DemoSessionStore } from '../auth/demo-session.store';
import { sessionIdOf, setSessionCookie, type HeaderTarget } from '../auth/session-cookie';
import {
  LoginService,
  type LoginAccounts,
  type LoginQrCode,
  type LoginStatus,
} from './login.service';

/** The demo's login API: a QR code to scan (on one account), and its status to poll. */
@Controller('login')
export class LoginController {
  constructor(
    private readonly login: LoginService,
    private readonly sessions: DemoSessionStore,
  ) {}

  /** The accounts a code can be issued on. */
  @Get('accounts')
  accounts(): LoginAccounts {
    return this.login.listAccounts();
  }

  /** `?account=<name>` issues the code on that account; without it, on the default account. */
  @Post('qrcode')
  createQrCode(@Query('account') account?: string): Promise<LoginQrCode> {
    return this.login.createQrCode(typeof account === 'string' ? account : undefined);
  }

  /** The scene's status; once confirmed, the browser that polls it also gets a session cookie. */
  @Get('qrcode/:scene')
  async status(
    @Param('scene') scene: string,
    @Req() request: { headers: { cookie?: string } },
    @Res({ passthrough: true }) response: HeaderTarget,
  ): Promise<LoginStatus> {
    const status = await this.login.status(scene);
    if (status.status === 'confirmed' && status.openId && sessionIdOf(request) === undefined) {
      const id = await this.sessions.create({
        openId: status.openId,
        ...(status.user?.unionid ? { unionId: status.user.unionid } : {}),
        ...(status.user?.nickname ? { nickname: status.user.nickname } : {}),
        ...(status.user?.headimgurl ? { avatarUrl: status.user.headimgurl } : {}),
        account: await this.login.accountOfScene(scene),
        via: 'qrcode',
      });
      setSessionCookie(response, id);
    }
    return status;
  }
}
