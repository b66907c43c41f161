import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** A WeChat-style refusal of the sandbox: `{ errcode, errmsg }`. */
export class SandboxOAuthError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(errmsg);
  }
}

/** The sandbox user who "logs in" through web authorization. */
export interface SandboxOAuthUser {
  openid: string;
  nickname: string;
  headimgurl: string;
  unionid?: string;
}

/** The default web-authorization user of the sandbox. */
export const SANDBOX_OAUTH_USER: SandboxOAuthUser = {
  openid: 'oSandboxWebUser0001',
  nickname: '微信用户 Sandbox',
  headimgurl: '',
};

interface CodeRecord {
  appId: string;
  scope: string;
  used: boolean;
  expiresAt: number;
}

interface WebTokenRecord {
  openid: string;
  scope: string;
  expiresAt: number;
}

const SCOPES = ['snsapi_base', 'snsapi_userinfo'];
const STATE_PATTERN = /^[A-Za-z0-9]{0,128}$/;
const CODE_TTL_MS = 5 * 60 * 1000;

/**
 * Web authorization and the JS-SDK ticket, as the sandbox serves them:
 * - `GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state` (the page
 *   of `open.weixin.qq.com`): `snsapi_base` redirects back at once with a fresh single-use code,
 *   `snsapi_userinfo` shows a consent page whose "允许" link does; a bad appid, scope or state →
 *   an error page (400).
 * - `GET /sns/oauth2/access_token`: 40013 appid, 40125 secret, 40029 unknown or expired code,
 *   40163 code used before; `GET /sns/oauth2/refresh_token` (40030 bad refresh_token);
 *   `GET /sns/userinfo` (48001 for an `snsapi_base` token, 40001 unknown token);
 *   `GET /sns/auth` (40003 for an unknown token or openid).
 * - `GET /cgi-bin/ticket/getticket?access_token&type=jsapi` (access_token checked like every API;
 *   40097 for another type): a new ticket each call, `expires_in` 7200.
 */
export class SandboxOAuth {
  private codes = new Map<string, CodeRecord>();
  private webTokens = new Map<string, WebTokenRecord>();
  private refreshTokens = new Map<string, string>();
  private tickets: string[] = [];
  private codeList: string[] = [];
  user: SandboxOAuthUser = { ...SANDBOX_OAUTH_USER };

  /**
   * @param secretOf the AppSecret of an AppID the server accepts, `undefined` for any other.
   * @param defaultAppId the AppID {@link issueCode} issues for by default.
   */
  constructor(
    private readonly secretOf: (appId: string) => string | undefined,
    private readonly defaultAppId: string,
  ) {}

  /** Every jsapi_ticket issued so far, oldest first. */
  get issuedTickets(): readonly string[] {
    return [...this.tickets];
  }

  /** Every web authorization code issued so far, oldest first. */
  get issuedCodes(): readonly string[] {
    return [...this.codeList];
  }

  /** A fresh code for the sandbox user, as the authorize page would hand out. */
  issueCode(scope = 'snsapi_base', appId = this.defaultAppId): string {
    const code = `0${randomBytes(15).toString('hex')}`;
    this.codes.set(code, { appId, scope, used: false, expiresAt: Date.now() + CODE_TTL_MS });
    this.codeList.push(code);
    return code;
  }

  reset(): void {
    this.codes = new Map();
    this.webTokens = new Map();
    this.refreshTokens = new Map();
    this.tickets = [];
    this.codeList = [];
    this.user = { ...SANDBOX_OAUTH_USER };
  }

  /** Serves the authorize pages; `false` when `url` is not one of them. */
  servePage(url: URL, res: ServerResponse): boolean {
    if (url.pathname !== '/connect/oauth2/authorize' && url.pathname !== '/connect/oauth2/allow') {
      return false;
    }
    const q = url.searchParams;
    const fail = (message: string) => {
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Error</title><p>${message}</p>`);
    };
    const appId = q.get('appid') ?? '';
    if (this.secretOf(appId) === undefined) return (fail('appid 参数错误 (10016)'), true);
    const scope = q.get('scope') ?? '';
    if (!SCOPES.includes(scope)) return (fail('scope 参数错误或没有 scope 权限 (10005)'), true);
    if (q.get('response_type') !== 'code') return (fail('response_type 参数错误'), true);
    const state = q.get('state') ?? '';
    if (!STATE_PATTERN.test(state)) return (fail('state 参数错误'), true);
    let redirect: URL;
    try {
      redirect = new URL(q.get('redirect_uri') ?? '');
    } catch {
      return (fail('redirect_uri 参数错误 (10003)'), true);
    }
    if (scope === 'snsapi_userinfo' && url.pathname === '/connect/oauth2/authorize') {
      const allow = new URL(url.href);
      allow.pathname = '/connect/oauth2/allow';
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><html lang="zh"><meta name="viewport" content="width=device-width">' +
          '<title>微信授权 (sandbox)</title><body style="font-family:sans-serif;text-align:center">' +
          '<h1>Sandbox</h1><p>申请获取你的昵称、头像</p>' +
          `<a id="allow" href="${escapeHtml(allow.pathname + allow.search)}" ` +
          'style="display:inline-block;padding:12px 40px;background:#07c160;color:#fff;border-radius:6px;text-decoration:none">允许</a>' +
          '</body></html>',
      );
      return true;
    }
    redirect.searchParams.set('code', this.issueCode(scope, appId));
    redirect.searchParams.set('state', state);
    res.writeHead(302, { Location: redirect.href });
    res.end();
    return true;
  }

  /**
   * The JSON text of a `/sns/*` or getticket answer; `undefined` for another path.
   * @param authenticate checks the access_token of the query (throws the API's errors).
   */
  route(path: string, query: URLSearchParams, authenticate: () => void): string | undefined {
    switch (path) {
      case '/sns/oauth2/access_token':
        return this.exchange(query);
      case '/sns/oauth2/refresh_token':
        return this.refresh(query);
      case '/sns/userinfo':
        return this.userInfo(query);
      case '/sns/auth': {
        const token = this.webTokens.get(query.get('access_token') ?? '');
        if (!token || token.expiresAt <= Date.now() || token.openid !== query.get('openid')) {
          throw new SandboxOAuthError(40003, 'invalid openid');
        }
        return JSON.stringify({ errcode: 0, errmsg: 'ok' });
      }
      case '/cgi-bin/ticket/getticket': {
        authenticate();
        if (query.get('type') !== 'jsapi' && query.get('type') !== 'wx_card') {
          throw new SandboxOAuthError(40097, 'invalid args');
        }
        const ticket = `${randomBytes(20).toString('base64url')}_${this.tickets.length + 1}`;
        this.tickets.push(ticket);
        return JSON.stringify({ errcode: 0, errmsg: 'ok', ticket, expires_in: 7200 });
      }
      default:
        return undefined;
    }
  }

  private exchange(query: URLSearchParams): string {
    if (query.get('grant_type') !== 'authorization_code') {
      throw new SandboxOAuthError(40002, 'invalid grant_type');
    }
    const appId = query.get('appid') ?? '';
    const secret = this.secretOf(appId);
    if (secret === undefined) throw new SandboxOAuthError(40013, 'invalid appid');
    if (query.get('secret') !== secret) throw new SandboxOAuthError(40125, 'invalid appsecret');
    const record = this.codes.get(query.get('code') ?? '');
    // A code is the account's own: another AppID cannot redeem it.
    if (!record || record.expiresAt <= Date.now() || record.appId !== appId) {
      throw new SandboxOAuthError(40029, 'invalid code');
    }
    if (record.used) throw new SandboxOAuthError(40163, 'code been used');
    record.used = true;
    return JSON.stringify(this.issueWebToken(record.scope));
  }

  private refresh(query: URLSearchParams): string {
    if (this.secretOf(query.get('appid') ?? '') === undefined) {
      throw new SandboxOAuthError(40013, 'invalid appid');
    }
    const scope = this.refreshTokens.get(query.get('refresh_token') ?? '');
    if (scope === undefined) throw new SandboxOAuthError(40030, 'invalid refresh_token');
    return JSON.stringify(this.issueWebToken(scope));
  }

  private userInfo(query: URLSearchParams): string {
    const token = this.webTokens.get(query.get('access_token') ?? '');
    if (!token || token.expiresAt <= Date.now()) {
      throw new SandboxOAuthError(40001, 'invalid credential, access_token is invalid');
    }
    if (token.openid !== query.get('openid')) throw new SandboxOAuthError(40003, 'invalid openid');
    if (token.scope !== 'snsapi_userinfo') throw new SandboxOAuthError(48001, 'api unauthorized');
    const { openid, nickname, headimgurl, unionid } = this.user;
    return JSON.stringify({
      openid,
      nickname,
      headimgurl,
      privilege: [],
      ...(unionid ? { unionid } : {}),
    });
  }

  private issueWebToken(scope: string): Record<string, unknown> {
    const accessToken = `web_${randomBytes(24).toString('base64url')}`;
    const refreshToken = `ref_${randomBytes(24).toString('base64url')}`;
    this.webTokens.set(accessToken, {
      openid: this.user.openid,
      scope,
      expiresAt: Date.now() + 7_200_000,
    });
    this.refreshTokens.set(refreshToken, scope);
    return {
      access_token: accessToken,
      expires_in: 7200,
      refresh_token: refreshToken,
      openid: this.user.openid,
      scope,
      ...(this.user.unionid ? { unionid: this.user.unionid } : {}),
    };
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
