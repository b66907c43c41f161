import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { DemoSessionStore } from '../auth/demo-session.store';
import { sessionIdOf, setSessionCookie, type HeaderTarget } from '../auth/session-cookie';
import { LoginService, type LoginQrCode, type LoginStatus } from './login.service';

/** The demo's login API: a QR code to scan, and its status to poll. */
@Controller('login')
export class LoginController {
  constructor(
    private readonly login: LoginService,
    private readonly sessions: DemoSessionStore,
  ) {}

  @Post('qrcode')
  createQrCode(): Promise<LoginQrCode> {
    return this.login.createQrCode();
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
        account: 'default',
        via: 'qrcode',
      });
      setSessionCookie(response, id);
    }
    return status;
  }
}
