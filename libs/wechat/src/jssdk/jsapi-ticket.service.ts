import { Inject, Injectable, Logger } from '@nestjs/common';
import { WechatHttpClient } from '../api/wechat-http.client';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import type { AccessTokenStore } from '../token/access-token-store.interface';
import { REJECTED_ACCESS_TOKEN_TTL_MS } from '../token/access-token.constants';
import { AccessTokenService } from '../token/access-token.service';
import { FleetCredential } from '../token/fleet-credential';
import { wechatApiRefusalCodec } from '../token/wechat-api-refusal.codec';
import { WECHAT_ACCESS_TOKEN_STORE, WECHAT_OPTIONS } from '../wechat.constants';
import { JsapiTicketFetcher } from './jsapi-ticket.fetcher';
import { jsapiTicketKeys } from './jsapi-ticket.keys';
import { CredentialTelemetry } from '../telemetry/credential.telemetry';

/**
 * The account's JS-SDK `jsapi_ticket`, one for the whole fleet, on the same machinery as the
 * access_token ({@link FleetCredential}): in-process copy, one upstream `getticket` per expiry for
 * the fleet (lock, waiters, crashed-holder takeover), a refusal such as 45009 (its daily quota is
 * small) shared for `tokenRefusalTtlMs` instead of retried, compare-and-delete on
 * {@link clearTicket}, and work without the store while Redis is down.
 */
@Injectable()
export class JsapiTicketService {
  private readonly logger = new Logger(JsapiTicketService.name);
  private readonly credential: FleetCredential;

  /**
   * @param options the account's resolved options.
   * @param store the shared store.
   * @param http the request pipeline.
   * @param tokens the account's access_token.
   */
  constructor(
    @Inject(WECHAT_OPTIONS) options: ResolvedWechatOptions,
    @Inject(WECHAT_ACCESS_TOKEN_STORE) store: AccessTokenStore,
    http: WechatHttpClient,
    tokens: AccessTokenService,
  ) {
    this.credential = new FleetCredential(
      store,
      this.logger,
      () => new JsapiTicketFetcher(tokens, http, options.tokenSafetyMarginSeconds),
      {
        label: 'jsapi_ticket',
        keys: jsapiTicketKeys(options.keyPrefix, options.appId),
        rejectedTtlMs: REJECTED_ACCESS_TOKEN_TTL_MS,
        lockTtlMs: options.lockTtlMs,
        lockPollIntervalMs: options.lockPollIntervalMs,
        refusalTtlMs: options.tokenRefusalTtlMs,
        refusals: wechatApiRefusalCodec,
        secrets: () => [options.appSecret],
        telemetry: new CredentialTelemetry(options, 'jsapi_ticket'),
      },
    );
  }

  /**
   * A valid jsapi_ticket.
   * @throws WechatApiError when WeChat refuses (45009 quota, …) or the access_token cannot be had.
   */
  getTicket(): Promise<string> {
    return this.credential.get();
  }

  /**
   * Forgets a ticket (pass the one a page's `wx.config` reported as invalid): deleted from the
   * shared store only while it still holds it, and never published again.
   */
  clearTicket(ticket?: string): Promise<void> {
    return this.credential.clear(ticket);
  }
}
