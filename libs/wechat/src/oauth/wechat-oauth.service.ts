import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { WechatBaseResponse } from '../api/wechat-api.interfaces';
import { WechatHttpClient } from '../api/wechat-http.client';
import { WechatApiError, WechatHttpError, WechatValidationError } from '../errors/wechat-api.error';
import { WechatOAuthStateError } from '../errors/wechat-oauth.error';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import type { AccessTokenStore } from '../token/access-token-store.interface';
import { accountKeyPrefix } from '../token/access-token.constants';
import { MemoryAccessTokenStore } from '../token/memory-access-token.store';
import { WECHAT_ACCESS_TOKEN_STORE, WECHAT_OPTIONS } from '../wechat.constants';
import { safeReturnTo } from './oauth-return-url';
import type {
  WechatOAuthAuthorization,
  WechatOAuthAuthorizeRequest,
  WechatOAuthCallbackResult,
  WechatOAuthResult,
  WechatOAuthScope,
  WechatOAuthUserInfo,
} from './wechat-oauth.interfaces';

const PATHS = {
  authorize: '/connect/oauth2/authorize',
  exchange: '/sns/oauth2/access_token',
  refresh: '/sns/oauth2/refresh_token',
  userInfo: '/sns/userinfo',
  validate: '/sns/auth',
} as const;

const SCOPES: readonly string[] = ['snsapi_base', 'snsapi_userinfo'];
const STATE_PATTERN = /^[A-Za-z0-9]{1,128}$/;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A code's claim while its exchange is in flight. */
const PENDING = 'pending';
/** How often a replay of a code in flight looks for its result, in ms. */
const POLL_MS = 50;

interface StateRecord {
  returnTo: string;
  scope: WechatOAuthScope;
}

type CodeOutcome = { ok: Record<string, unknown> } | { errcode: number; errmsg: string };

/**
 * Web authorization (OAuth2) of the account: users who open the app inside WeChat's browser log
 * in without a QR code.
 *
 * - {@link createAuthorizeUrl}: WeChat's authorize URL with a random `state` stored for the fleet
 *   (`oauthStateTtlSeconds`, default 600 s) together with the validated `returnTo`.
 * - {@link handleCallback}: checks the state (unknown, expired, or already bound to another code →
 *   {@link WechatOAuthStateError} before any exchange), binds it to the first code, and exchanges
 *   the code **exactly once for the whole fleet**: the first caller claims the code (`SET NX`) and
 *   stores the result for the state's TTL; a replay (a page refresh, the back button, WeChat's
 *   double callback, on any instance, at once or later) gets the same result, never 40163.
 * - {@link refreshAccessToken}, {@link getUserInfo}, {@link validateAccessToken}: the other
 *   `/sns/*` calls, typed, with WeChat's answer kept as `raw`.
 *
 * The store is the module's shared store (Redis for a fleet); while it is down, this process keeps
 * states and results in memory (one warning). The results kept there hold per-user tokens for at
 * most `oauthStateTtlSeconds`; codes are stored only as SHA-256 digests. No code, state or token
 * ever appears in a log line or an error message.
 */
@Injectable()
export class WechatOAuthService {
  private readonly logger = new Logger(WechatOAuthService.name);
  private readonly fallback = new MemoryAccessTokenStore();
  private storeDown = false;

  /**
   * @param options the account's resolved options.
   * @param store the shared store (states, code claims and results).
   * @param http the request pipeline (`/sns/*`).
   */
  constructor(
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    @Inject(WECHAT_ACCESS_TOKEN_STORE) private readonly store: AccessTokenStore,
    private readonly http: WechatHttpClient,
  ) {}

  /**
   * The URL to send a user to (302), with a new state stored for the fleet.
   * @throws WechatValidationError for a redirect URI that is not absolute http(s), or an unknown scope.
   */
  async createAuthorizeUrl(
    request: WechatOAuthAuthorizeRequest,
  ): Promise<WechatOAuthAuthorization> {
    const scope = request.scope ?? 'snsapi_base';
    if (!SCOPES.includes(scope)) {
      throw new WechatValidationError('scope', 'must be "snsapi_base" or "snsapi_userinfo".');
    }
    const redirectUri = absoluteHttpUrl(request.redirectUri);
    const state = newState();
    const record: StateRecord = {
      returnTo: safeReturnTo(request.returnTo, this.options.oauthAllowedReturnOrigins),
      scope,
    };
    await this.kv((store) => store.set(this.stateKey(state), JSON.stringify(record), this.ttlMs()));
    const query = new URLSearchParams({
      appid: this.options.appId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope,
      state,
      connect_redirect: '1',
    });
    return {
      url: `${this.options.oauthBaseUrl}${PATHS.authorize}?${query.toString()}#wechat_redirect`,
      state,
    };
  }

  /**
   * Handles `?code&state` on the redirect URI: state checked and bound, code exchanged once for the
   * fleet, the same result for every replay.
   *
   * @throws WechatOAuthStateError (answer 400) for a missing code, an unknown or expired state, or
   *   a state that came back with another code; before any call to WeChat.
   * @throws WechatApiError when WeChat refuses the code (40029 …; a replay gets the same error).
   */
  async handleCallback(query: {
    code?: unknown;
    state?: unknown;
  }): Promise<WechatOAuthCallbackResult> {
    const { code, state } = query;
    if (typeof state !== 'string' || !STATE_PATTERN.test(state)) {
      throw new WechatOAuthStateError('UNKNOWN_STATE');
    }
    if (typeof code !== 'string' || code === '' || code.length > 512) {
      throw new WechatOAuthStateError('MISSING_CODE');
    }
    const stored = await this.kv((store) => store.get(this.stateKey(state)));
    if (stored === null) {
      throw new WechatOAuthStateError(
        stateAgeMs(state) > this.ttlMs() ? 'EXPIRED_STATE' : 'UNKNOWN_STATE',
      );
    }
    const record = JSON.parse(stored.value) as StateRecord;
    const digest = sha256(code);
    const bindKey = `${this.stateKey(state)}:code`;
    const bound = await this.kv((store) => store.set(bindKey, digest, stored.ttlMs, 'if-absent'));
    if (!bound) {
      const boundTo = await this.kv((store) => store.get(bindKey));
      if (boundTo !== null && boundTo.value !== digest) {
        throw new WechatOAuthStateError('STATE_USED_WITH_ANOTHER_CODE');
      }
    }
    return { user: await this.exchangeCode(code), returnTo: record.returnTo };
  }

  /**
   * Exchanges a code (`/sns/oauth2/access_token`) exactly once for the whole fleet; a replay of the
   * same code gets the first result (or the same WeChat error) while it is kept.
   */
  async exchangeCode(code: string): Promise<WechatOAuthResult> {
    const key = `${accountKeyPrefix(this.options.keyPrefix, this.options.appId)}oauth_code:${sha256(code)}`;
    const deadline =
      Date.now() + this.options.requestTimeoutMs * (this.options.maxRetries + 1) + 2_000;
    for (;;) {
      if (await this.kv((store) => store.set(key, PENDING, this.ttlMs(), 'if-absent'))) {
        return this.exchangeAsClaimer(key, code);
      }
      const stored = await this.kv((store) => store.get(key));
      if (stored !== null && stored.value !== PENDING) {
        const outcome = JSON.parse(stored.value) as CodeOutcome;
        if ('ok' in outcome) return toResult(outcome.ok);
        throw new WechatApiError(PATHS.exchange, outcome.errcode, outcome.errmsg);
      }
      if (Date.now() > deadline) {
        throw new WechatHttpError(
          PATHS.exchange,
          'TIMEOUT',
          1,
          'another exchange of the same code did not finish in time',
        );
      }
      // In flight elsewhere (or its claimer failed and released it: the loop claims it then).
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Refreshes a per-user web token (`/sns/oauth2/refresh_token`, valid 30 days). */
  async refreshAccessToken(refreshToken: string): Promise<WechatOAuthResult> {
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new WechatValidationError('refreshToken', 'must be a non-empty string.');
    }
    const response = await this.http.get<WechatBaseResponse>(PATHS.refresh, {
      appid: this.options.appId,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    return toResult(response as unknown as Record<string, unknown>);
  }

  /**
   * The user's profile (`/sns/userinfo`); needs a token of scope `snsapi_userinfo` (else 48001).
   */
  async getUserInfo(
    accessToken: string,
    openId: string,
    lang: 'zh_CN' | 'zh_TW' | 'en' = 'zh_CN',
  ): Promise<WechatOAuthUserInfo> {
    const response = (await this.http.get<WechatBaseResponse>(PATHS.userInfo, {
      access_token: accessToken,
      openid: openId,
      lang,
    })) as unknown as Record<string, unknown>;
    return {
      openId: String(response.openid),
      nickname: typeof response.nickname === 'string' ? response.nickname : '',
      headImgUrl: typeof response.headimgurl === 'string' ? response.headimgurl : '',
      privilege: Array.isArray(response.privilege) ? response.privilege.map(String) : [],
      ...(typeof response.unionid === 'string' ? { unionId: response.unionid } : {}),
      raw: response,
    };
  }

  /** Whether a per-user web token is still valid (`/sns/auth`: errcode 0, or 40003 → false). */
  async validateAccessToken(accessToken: string, openId: string): Promise<boolean> {
    try {
      await this.http.get<WechatBaseResponse>(PATHS.validate, {
        access_token: accessToken,
        openid: openId,
      });
      return true;
    } catch (error: unknown) {
      if (error instanceof WechatApiError && [40003, 40001, 42001].includes(error.errcode))
        return false;
      throw error;
    }
  }

  private async exchangeAsClaimer(key: string, code: string): Promise<WechatOAuthResult> {
    let response: Record<string, unknown>;
    try {
      response = (await this.http.get<WechatBaseResponse>(PATHS.exchange, {
        appid: this.options.appId,
        secret: this.options.appSecret,
        code,
        grant_type: 'authorization_code',
      })) as unknown as Record<string, unknown>;
    } catch (error: unknown) {
      if (error instanceof WechatApiError) {
        // WeChat's verdict on this code holds for every replay.
        const outcome: CodeOutcome = { errcode: error.errcode, errmsg: error.errmsg };
        await this.kv((store) => store.set(key, JSON.stringify(outcome), this.ttlMs()));
      } else {
        // Not an answer about the code (network, timeout): let the next attempt try again.
        await this.kv((store) => store.delete(key)).catch(() => undefined);
      }
      throw error;
    }
    const result = toResult(response);
    await this.kv((store) => store.set(key, JSON.stringify({ ok: response }), this.ttlMs()));
    return result;
  }

  private stateKey(state: string): string {
    return `${accountKeyPrefix(this.options.keyPrefix, this.options.appId)}oauth_state:${state}`;
  }

  private ttlMs(): number {
    return this.options.oauthStateTtlSeconds * 1000;
  }

  /** Runs a store operation on the shared store, or on this process's memory while it is down. */
  private async kv<T>(operation: (store: AccessTokenStore) => Promise<T>): Promise<T> {
    if (!this.storeDown) {
      try {
        return await operation(this.store);
      } catch (error: unknown) {
        if (!(error instanceof WechatTokenStoreError)) throw error;
        this.storeDown = true;
        this.logger.warn(
          'The shared store is unavailable: web authorization states and code results are kept in this process until it is back (a callback reaching another instance meanwhile is refused).',
        );
      }
      return operation(this.fallback);
    }
    try {
      const result = await operation(this.store);
      this.storeDown = false;
      return result;
    } catch (error: unknown) {
      if (!(error instanceof WechatTokenStoreError)) throw error;
      return operation(this.fallback);
    }
  }
}

function toResult(raw: Record<string, unknown>): WechatOAuthResult {
  const { openid, access_token: accessToken, refresh_token: refreshToken } = raw;
  if (typeof openid !== 'string' || typeof accessToken !== 'string') {
    throw new WechatHttpError(
      PATHS.exchange,
      'BAD_RESPONSE',
      1,
      'the answer has no openid or access_token',
    );
  }
  return {
    openId: openid,
    ...(typeof raw.unionid === 'string' ? { unionId: raw.unionid } : {}),
    scope: typeof raw.scope === 'string' ? raw.scope : '',
    isSnapshotUser: Number(raw.is_snapshotuser) === 1,
    accessToken,
    expiresIn: Number(raw.expires_in) || 0,
    refreshToken: typeof refreshToken === 'string' ? refreshToken : '',
    raw,
  };
}

function absoluteHttpUrl(value: unknown): string {
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') return value;
    } catch {
      // the error below
    }
  }
  throw new WechatValidationError(
    'redirectUri',
    'must be an absolute http(s) URL on the web authorization domain of the account.',
  );
}

/** 8 base-36 digits of the issue time (ms), then 32 random alphanumerics: [A-Za-z0-9]{40}. */
function newState(): string {
  let random = '';
  for (const byte of randomBytes(64)) {
    if (byte < 248 && random.length < 32) random += ALPHANUMERIC[byte % 62];
  }
  return Date.now().toString(36).padStart(9, '0').slice(-9) + random.padEnd(32, 'A');
}

/** How old a state says it is (its first 9 characters), in ms; 0 when it does not say. */
function stateAgeMs(state: string): number {
  const issuedAt = parseInt(state.slice(0, 9), 36);
  return Number.isFinite(issuedAt) && issuedAt > 0 ? Date.now() - issuedAt : 0;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}
