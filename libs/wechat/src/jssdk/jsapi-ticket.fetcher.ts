import { ACCESS_TOKEN_REJECTED_ERRCODES } from '../api/wechat-api.constants';
import type { WechatBaseResponse } from '../api/wechat-api.interfaces';
import type { WechatHttpClient } from '../api/wechat-http.client';
import { WechatApiError, WechatHttpError } from '../errors/wechat-api.error';
import type { AccessTokenService } from '../token/access-token.service';
import { lifetimeClock, servedLifetimeMs } from '../token/credential-lifetime';
import type { CredentialFetcher, FetchedCredential } from '../token/shared-credential.interface';

/** WeChat's path for JS-SDK and card tickets. */
export const GET_TICKET_PATH = '/cgi-bin/ticket/getticket';

interface TicketResponse extends WechatBaseResponse {
  ticket?: string;
  expires_in?: number;
}

/**
 * The jsapi_ticket from WeChat: `GET /cgi-bin/ticket/getticket?access_token&type=jsapi`. A
 * rejected access_token (40001/40014/42001) is cleared by compare-and-delete and the call retried
 * once with a fresh one; any other errcode (45009: the small daily quota) fails as a
 * {@link WechatApiError}, which the fleet shares for a few seconds instead of retrying.
 */
export class JsapiTicketFetcher implements CredentialFetcher {
  /**
   * @param tokens the account's access_token.
   * @param http the request pipeline.
   * @param safetyMarginSeconds served for `expires_in − min(margin, expires_in / 2)`.
   */
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly http: WechatHttpClient,
    private readonly safetyMarginSeconds: number,
  ) {}

  /** {@inheritDoc CredentialFetcher.fetch} */
  async fetch(): Promise<FetchedCredential> {
    const startedAt = lifetimeClock();
    const token = await this.tokens.getAccessToken();
    let response: TicketResponse;
    try {
      response = await this.request(token);
    } catch (error: unknown) {
      if (
        !(error instanceof WechatApiError) ||
        !ACCESS_TOKEN_REJECTED_ERRCODES.has(error.errcode)
      ) {
        throw error;
      }
      await this.tokens.clearAccessToken(token);
      response = await this.request(await this.tokens.getAccessToken());
    }
    const expiresIn = Number(response.expires_in);
    if (typeof response.ticket !== 'string' || response.ticket === '' || !(expiresIn > 0)) {
      throw new WechatHttpError(
        GET_TICKET_PATH,
        'BAD_RESPONSE',
        1,
        'the answer has no ticket or no positive expires_in',
      );
    }
    return {
      value: response.ticket,
      expiresAt: startedAt + servedLifetimeMs(expiresIn, this.safetyMarginSeconds),
    };
  }

  private request(token: string): Promise<TicketResponse> {
    return this.http.get<TicketResponse>(GET_TICKET_PATH, { access_token: token, type: 'jsapi' });
  }
}
