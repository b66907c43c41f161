import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BadRequestException,
  Injectable,
  mixin,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { WechatAccounts } from '../accounts/wechat-accounts.registry';
import { WechatOAuthStateError } from '../errors/wechat-oauth.error';
import type { WechatOAuthService } from './wechat-oauth.service';
import type { WechatOAuthResult, WechatOAuthScope } from './wechat-oauth.interfaces';

/** Where the request's WeChat user is attached (read it with `@WechatOAuthUser()`). */
export const WECHAT_OAUTH_USER_PROPERTY = 'wechatOAuthUser';

/**
 * How the host keeps a web-authorized user: the module hands over the result, the host decides
 * where it lives (a signed cookie, a server-side session, a JWT …). A provider of the host app.
 */
export interface WechatOAuthSession<TUser = unknown> {
  /** The user of this request's session, or `undefined` when there is none. */
  read(request: unknown): TUser | undefined | Promise<TUser | undefined>;
  /**
   * Keeps a fresh web authorization in the session (set a cookie on `response`, …). Called once
   * per successful callback, before the redirect to the URL without `code` and `state`. A result
   * with `isSnapshotUser` is a virtual user of a page snapshot: do not persist it as a user.
   */
  write(request: unknown, response: unknown, result: WechatOAuthResult): void | Promise<void>;
}

/** Options of {@link WechatOAuthGuard}. */
export interface WechatOAuthGuardOptions {
  /** Default `snsapi_base`. */
  scope?: WechatOAuthScope;
  /** The account users authorize (a name or AppID). Default: the default account. */
  account?: string;
  /** The host's {@link WechatOAuthSession} provider (looked up in the app, not only this module). */
  session: Type<WechatOAuthSession>;
  /**
   * The app's public origin as users reach it, e.g. `https://m.example.com` (behind a proxy the
   * request's own Host and scheme may differ). Default: from the request's `Host` header, scheme
   * from `X-Forwarded-Proto` or the connection.
   */
  publicBaseUrl?: string;
}

type NodeRequest = IncomingMessage & { originalUrl?: string; raw?: IncomingMessage };
type NodeResponse = ServerResponse & { raw?: ServerResponse };

/**
 * A guard for host routes that need a WeChat user (pages opened inside WeChat's browser):
 *
 * - a request whose session has a user (`session.read`) passes, with the user attached
 *   (`@WechatOAuthUser()`);
 * - otherwise a request without `code`/`state` is redirected (302) to WeChat's authorize URL,
 *   coming back to the same URL;
 * - the callback (`?code&state` on that URL) is checked and exchanged once for the fleet
 *   ({@link WechatOAuthService.handleCallback}; a bad state → 400 before any exchange), handed to
 *   `session.write`, and redirected to the same URL without `code` and `state`.
 *
 * ```ts
 * @Get('orders')
 * @UseGuards(WechatOAuthGuard({ scope: 'snsapi_base', session: CookieSession }))
 * orders(@WechatOAuthUser() user: SessionUser) { … }
 * ```
 */
export function WechatOAuthGuard(options: WechatOAuthGuardOptions): Type<CanActivate> {
  @Injectable()
  class WechatOAuthMixinGuard implements CanActivate {
    private session: WechatOAuthSession | undefined;

    constructor(
      private readonly accounts: WechatAccounts,
      private readonly moduleRef: ModuleRef,
    ) {}

    /** The account's web authorization (looked up per request: accounts may come and go). */
    private get oauth(): WechatOAuthService {
      const account =
        options.account === undefined
          ? this.accounts.defaultAccount
          : this.accounts.get(options.account);
      if (account === undefined) {
        throw new Error('WechatOAuthGuard: no default account; set the guard\'s "account".');
      }
      return account.oauth;
    }

    async canActivate(context: ExecutionContext): Promise<boolean> {
      const http = context.switchToHttp();
      const request = http.getRequest<NodeRequest>();
      const response = http.getResponse<NodeResponse>();
      const session = this.sessionProvider();
      const user = await session.read(request);
      if (user !== undefined) {
        (request as unknown as Record<string, unknown>)[WECHAT_OAUTH_USER_PROPERTY] = user;
        return true;
      }
      const url = new URL(request.originalUrl ?? (request.raw ?? request).url ?? '/', 'http://x');
      const code = url.searchParams.get('code');
      const state = url.searchParams.get('state');
      if (code !== null || state !== null) {
        let result;
        try {
          result = await this.oauth.handleCallback({ code, state });
        } catch (error: unknown) {
          if (error instanceof WechatOAuthStateError) throw new BadRequestException(error.message);
          throw error;
        }
        await session.write(request, response, result.user);
        redirect(response, result.returnTo);
        return false;
      }
      const returnTo = `${url.pathname}${url.search}`;
      const { url: authorizeUrl } = await this.oauth.createAuthorizeUrl({
        redirectUri: `${options.publicBaseUrl?.replace(/\/+$/, '') ?? requestOrigin(request)}${returnTo}`,
        scope: options.scope ?? 'snsapi_base',
        returnTo,
      });
      redirect(response, authorizeUrl);
      return false;
    }

    private sessionProvider(): WechatOAuthSession {
      const session = this.session ?? this.moduleRef.get(options.session, { strict: false });
      if (session === undefined) {
        throw new Error(`WechatOAuthGuard: ${options.session.name} is not a provider of the app.`);
      }
      this.session = session;
      return session;
    }
  }
  return mixin(WechatOAuthMixinGuard);
}

/** A 302 written on the Node response (Express's `res` or Fastify's `reply.raw`). */
function redirect(response: NodeResponse, location: string): void {
  const res = response.raw ?? response;
  res.statusCode = 302;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}

function requestOrigin(request: NodeRequest): string {
  const raw = request.raw ?? request;
  const forwarded = raw.headers['x-forwarded-proto'];
  const proto =
    (typeof forwarded === 'string' ? forwarded.split(',')[0].trim() : undefined) ??
    ((raw.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  return `${proto}://${raw.headers.host ?? 'localhost'}`;
}
