import {
  BadGatewayException,
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Post,
  Query,
  Redirect,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import {
  WechatAccounts,
  WechatApiError,
  WechatOAuthStateError,
  type WechatAccount,
} from '@app/wechat';
import { DemoSessionStore, type DemoSessionUser } from './demo-session.store';
import { sessionIdOf, setSessionCookie, type HeaderTarget } from './session-cookie';

interface IncomingRequest {
  headers: { cookie?: string; host?: string; 'x-forwarded-proto'?: string };
  protocol?: string;
}

/**
 * Web authorization for the demo (the stable contract of the README):
 * - `GET /auth/wechat?returnTo=/path[&scope=snsapi_userinfo][&account=name]` → 302 to WeChat;
 * - `GET /auth/wechat/callback?code&state` → 302 to `returnTo` with a session cookie;
 * - `GET /me` → the session's user, 401 without one; `POST /auth/logout` ends it.
 */
@Controller()
export class AuthController {
  constructor(
    private readonly accounts: WechatAccounts,
    private readonly sessions: DemoSessionStore,
  ) {}

  @Get('auth/wechat')
  @Redirect()
  async authorize(
    @Req() request: IncomingRequest,
    @Query('returnTo') returnTo?: string,
    @Query('scope') scope?: string,
    @Query('account') account?: string,
  ): Promise<{ url: string; statusCode: number }> {
    const { oauth, name } = accountOf(this.accounts, account);
    if (scope !== undefined && scope !== 'snsapi_base' && scope !== 'snsapi_userinfo') {
      throw new BadRequestException('scope must be snsapi_base or snsapi_userinfo');
    }
    // The callback names the account, so the code is exchanged by the account that asked for it.
    const callback = `${publicOrigin(request)}/auth/wechat/callback`;
    const { url } = await oauth.createAuthorizeUrl({
      redirectUri: name === this.accounts.defaultName ? callback : `${callback}?account=${name}`,
      scope: scope ?? 'snsapi_base',
      returnTo: returnTo ?? '/',
    });
    return { url, statusCode: 302 };
  }

  @Get('auth/wechat/callback')
  @Redirect()
  async callback(
    @Query('code') code: string | undefined,
    @Query('state') state: string | undefined,
    @Query('account') account: string | undefined,
    @Res({ passthrough: true }) response: HeaderTarget,
  ): Promise<{ url: string; statusCode: number }> {
    const { oauth, name } = accountOf(this.accounts, account);
    let result;
    try {
      result = await oauth.handleCallback({ code, state });
    } catch (error: unknown) {
      if (error instanceof WechatOAuthStateError) throw new BadRequestException(error.message);
      if (error instanceof WechatApiError) throw new BadGatewayException(error.message);
      throw error;
    }
    const { user, returnTo } = result;
    const session: DemoSessionUser = {
      openId: user.openId,
      ...(user.unionId ? { unionId: user.unionId } : {}),
      account: name,
      via: 'oauth',
    };
    if (user.scope.includes('snsapi_userinfo')) {
      const info = await oauth.getUserInfo(user.accessToken, user.openId);
      session.nickname = info.nickname;
      if (info.headImgUrl) session.avatarUrl = info.headImgUrl;
    }
    // A virtual user of a page snapshot gets no session: it is not a person.
    if (!user.isSnapshotUser) setSessionCookie(response, await this.sessions.create(session));
    return { url: returnTo, statusCode: 302 };
  }

  @Get('me')
  async me(@Req() request: IncomingRequest): Promise<DemoSessionUser> {
    const id = sessionIdOf(request);
    const user = id === undefined ? undefined : await this.sessions.get(id);
    if (!user) throw new UnauthorizedException('Not logged in');
    return user;
  }

  @Post('auth/logout')
  @HttpCode(204)
  async logout(
    @Req() request: IncomingRequest,
    @Res({ passthrough: true }) response: HeaderTarget,
  ): Promise<void> {
    const id = sessionIdOf(request);
    if (id !== undefined) await this.sessions.delete(id);
    setSessionCookie(response, undefined);
  }
}

/** The account a request names (the default one without a name); 404 for one not served. */
export function accountOf(accounts: WechatAccounts, name: string | undefined): WechatAccount {
  const account = name === undefined || name === '' ? accounts.defaultAccount : accounts.find(name);
  if (!account || (name !== undefined && name !== '' && account.name !== name)) {
    throw new NotFoundException('Unknown account');
  }
  return account;
}

/** The app's origin as the browser reached it (behind a proxy: X-Forwarded-Proto). */
function publicOrigin(request: IncomingRequest): string {
  const forwarded = request.headers['x-forwarded-proto']?.split(',')[0].trim();
  return `${forwarded || request.protocol || 'http'}://${request.headers.host ?? 'localhost'}`;
}
