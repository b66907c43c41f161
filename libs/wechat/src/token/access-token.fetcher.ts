import type { Logger } from '@nestjs/common';
import { WECHAT_API_PATHS } from '../api/wechat-api.constants';
import type { WechatAccessTokenResponse } from '../api/wechat-api.interfaces';
import type { WechatHttpClient } from '../api/wechat-http.client';
import { WechatHttpError } from '../errors/wechat-api.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { lifetimeClock, servedLifetimeMs } from './credential-lifetime';
import type { ForceRefreshPolicy } from './force-refresh.policy';
import type { CredentialFetcher, FetchedCredential } from './shared-credential.interface';

/**
 * The access_token from WeChat: `GET /cgi-bin/token`, or in stable_token mode
 * `POST /cgi-bin/stable_token` with `force_refresh: false`, and `true` only when WeChat handed back
 * a token known to be rejected and the {@link ForceRefreshPolicy} allows it.
 */
export class AccessTokenFetcher implements CredentialFetcher {
  /**
   * @param options appId, appSecret, tokenMode and tokenSafetyMarginSeconds.
   * @param http the request pipeline.
   * @param forceRefresh WeChat's limit on `force_refresh: true`.
   * @param logger where the force_refresh decisions are logged.
   */
  constructor(
    private readonly options: ResolvedWechatOptions,
    private readonly http: WechatHttpClient,
    private readonly forceRefresh: ForceRefreshPolicy,
    private readonly logger: Logger,
  ) {}

  /** {@inheritDoc CredentialFetcher.fetch} */
  async fetch(isRejected: (value: string) => Promise<boolean>): Promise<FetchedCredential> {
    const fetched = await this.request(false);
    if (this.options.tokenMode !== 'stable_token' || !(await isRejected(fetched.value))) {
      return fetched;
    }
    if (!(await this.forceRefresh.tryClaim())) {
      this.logger.warn(
        'WeChat returned the stable access_token it had just rejected, and force_refresh was used less than 30 s ago; keeping it for now.',
      );
      return fetched;
    }
    this.logger.warn(
      'WeChat returned the stable access_token it had just rejected; requesting a new one with force_refresh.',
    );
    return this.request(true);
  }

  private async request(forceRefresh: boolean): Promise<FetchedCredential> {
    const { appId, appSecret, tokenMode } = this.options;
    const startedAt = lifetimeClock();
    let response: WechatAccessTokenResponse;
    let path: string;
    if (tokenMode === 'stable_token') {
      path = WECHAT_API_PATHS.stableToken;
      response = await this.http.post<WechatAccessTokenResponse>(path, {
        grant_type: 'client_credential',
        appid: appId,
        secret: appSecret,
        force_refresh: forceRefresh,
      });
    } else {
      path = WECHAT_API_PATHS.token;
      response = await this.http.get<WechatAccessTokenResponse>(path, {
        grant_type: 'client_credential',
        appid: appId,
        secret: appSecret,
      });
    }
    const value = response.access_token;
    const expiresIn = Number(response.expires_in);
    if (typeof value !== 'string' || value === '' || !(expiresIn > 0)) {
      throw new WechatHttpError(
        path,
        'BAD_RESPONSE',
        1,
        'the answer has no access_token or no positive expires_in',
      );
    }
    return {
      value,
      expiresAt: startedAt + servedLifetimeMs(expiresIn, this.options.tokenSafetyMarginSeconds),
    };
  }
}
