import { WechatApiError } from '../errors/wechat-api.error';
import { ACCESS_TOKEN_REJECTED_ERRCODES } from './wechat-api.constants';
import type {
  WechatApiRequest,
  WechatBaseResponse,
  WechatFileResponse,
} from './wechat-api.interfaces';
import type { WechatHttpClient } from './wechat-http.client';

/** Where the caller takes its access_token from (an `AccessTokenService`, one per account). */
export interface WechatAccessTokenSource {
  /** A valid access_token. */
  getAccessToken(): Promise<string>;
  /** Forgets `token` (compare-and-delete), so the next `getAccessToken` fetches a new one. */
  clearAccessToken(token?: string): Promise<void>;
}

/**
 * The token-authenticated request pipeline every API domain uses: takes the account's
 * access_token, puts it in the query, sends through {@link WechatHttpClient} (timeouts, retries on
 * `-1`, typed errors, redaction), and on a token rejection (40001 / 40014 / 42001) clears exactly
 * that token and retries once with a fresh one. Other errcodes (45009 among them) are never
 * retried here. A plain class: build one per account with `new WechatApiCaller(tokens, http)`.
 */
export class WechatApiCaller {
  /**
   * @param tokens the account's access_token source.
   * @param http the account's request pipeline.
   */
  constructor(
    private readonly tokens: WechatAccessTokenSource,
    private readonly http: WechatHttpClient,
  ) {}

  /** Sends `request` with the token and returns WeChat's successful JSON answer. */
  call<T extends WechatBaseResponse>(request: WechatApiRequest): Promise<T> {
    return this.withToken((authorized) => this.http.request<T>(authorized), request);
  }

  /** Like {@link call}, for answers that may be a file (media downloads). */
  callFile<T extends WechatBaseResponse>(
    request: WechatApiRequest,
  ): Promise<WechatFileResponse<T>> {
    return this.withToken((authorized) => this.http.requestFile<T>(authorized), request);
  }

  private async withToken<R>(
    send: (request: WechatApiRequest) => Promise<R>,
    request: WechatApiRequest,
  ): Promise<R> {
    const attempt = (token: string): Promise<R> =>
      send({ ...request, query: { ...request.query, access_token: token } });
    const token = await this.tokens.getAccessToken();
    try {
      return await attempt(token);
    } catch (error: unknown) {
      if (
        !(error instanceof WechatApiError) ||
        !ACCESS_TOKEN_REJECTED_ERRCODES.has(error.errcode)
      ) {
        throw error;
      }
      await this.tokens.clearAccessToken(token);
      return attempt(await this.tokens.getAccessToken());
    }
  }
}
