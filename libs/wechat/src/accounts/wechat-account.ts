import { WechatClientService } from '../api/wechat-client.service';
import { WechatHttpClient } from '../api/wechat-http.client';
import { MsgCryptService } from '../crypto/msg-crypt.service';
import type { ResolvedWechatAccount } from '../interfaces/resolved-wechat-options.interface';
import { JsapiTicketService } from '../jssdk/jsapi-ticket.service';
import { WechatJssdkService } from '../jssdk/wechat-jssdk.service';
import { WechatOAuthService } from '../oauth/wechat-oauth.service';
import type { AccessTokenStore } from '../token/access-token-store.interface';
import { AccessTokenService } from '../token/access-token.service';

/**
 * One Official Account at run time: its options and its own request pipeline, fleet-wide
 * access_token ({@link AccessTokenService}, keyed by its AppID in the shared store), API client
 * ({@link WechatClientService}) and signatures/crypto ({@link MsgCryptService}). Nothing is shared
 * with another account but the store and the shared options.
 */
export class WechatAccount {
  /** The account's name (a path segment of its callback). */
  readonly name: string;
  /** Its AppID. */
  readonly appId: string;
  /** Signatures and safe-mode crypto with its Token, EncodingAESKey and AppID. */
  readonly crypt: MsgCryptService;
  private api?: {
    readonly http: WechatHttpClient;
    readonly tokens: AccessTokenService;
    readonly client: WechatClientService;
    readonly tickets: JsapiTicketService;
    readonly jssdk: WechatJssdkService;
    readonly oauth: WechatOAuthService;
  };

  /**
   * @param options the account's resolved options (shared options merged with its own).
   * @param store the shared access_token store.
   */
  constructor(
    readonly options: ResolvedWechatAccount,
    private readonly store: AccessTokenStore,
  ) {
    this.name = options.name;
    this.appId = options.appId;
    this.crypt = new MsgCryptService(options);
  }

  /** The request pipeline to WeChat's API, with this account's AppSecret kept out of its logs. */
  get http(): WechatHttpClient {
    return this.apiParts().http;
  }

  /** Its access_token. */
  get tokens(): AccessTokenService {
    return this.apiParts().tokens;
  }

  /** The API client (template messages, QR codes, users, customer-service messages). */
  get client(): WechatClientService {
    return this.apiParts().client;
  }

  /** Its JS-SDK jsapi_ticket (fleet-wide, keyed by its AppID like the access_token). */
  get tickets(): JsapiTicketService {
    return this.apiParts().tickets;
  }

  /** `wx.config` objects for its pages. */
  get jssdk(): WechatJssdkService {
    return this.apiParts().jssdk;
  }

  /** Its web authorization (OAuth2). */
  get oauth(): WechatOAuthService {
    return this.apiParts().oauth;
  }

  /** Aborts its pending API requests (the account was unregistered or the module stops). */
  close(): void {
    this.api?.http.onModuleDestroy();
  }

  /** Built on first use, so a fleet of accounts that only receive pushes stays small. */
  private apiParts(): NonNullable<WechatAccount['api']> {
    if (this.api) return this.api;
    const http = new WechatHttpClient(this.options);
    const tokens = new AccessTokenService(this.options, this.store, http);
    const tickets = new JsapiTicketService(this.options, this.store, http, tokens);
    this.api = {
      http,
      tokens,
      client: new WechatClientService(tokens, http, this.options),
      tickets,
      jssdk: new WechatJssdkService(this.options, tickets),
      oauth: new WechatOAuthService(this.options, this.store, http),
    };
    return this.api;
  }
}
