/** Web authorization scopes: `snsapi_base` (silent, openid only) or `snsapi_userinfo` (asks). */
export type WechatOAuthScope = 'snsapi_base' | 'snsapi_userinfo';

/** What {@link WechatOAuthService.createAuthorizeUrl} takes. */
export interface WechatOAuthAuthorizeRequest {
  /**
   * Where WeChat sends the user back (`?code&state`): an absolute http(s) URL on the account's
   * web authorization domain.
   */
  redirectUri: string;
  /** Default `snsapi_base`. */
  scope?: WechatOAuthScope;
  /**
   * Where to send the user after a successful callback: a path of this app (`/orders?id=1`) or a
   * URL on an origin of `oauthAllowedReturnOrigins`. Anything else (`https://evil.example`,
   * `//evil.example`, `/\evil.example`) is replaced by `/`. Default `/`.
   */
  returnTo?: string;
}

/** An authorize URL and the state it carries. */
export interface WechatOAuthAuthorization {
  /** Send the user here (302). */
  url: string;
  /** The random state nonce (stored fleet-wide until the callback or its TTL). */
  state: string;
}

/** The exchange of a code: the user's web authorization. */
export interface WechatOAuthResult {
  openId: string;
  /** Present when the account is bound to an Open Platform account. */
  unionId?: string;
  /** `snsapi_base` or `snsapi_userinfo` (WeChat may list several, comma-separated). */
  scope: string;
  /**
   * `is_snapshotuser: 1`: a virtual user on a page snapshot (the page was opened from a shared
   * snapshot, not by a real user): never persist it as a user.
   */
  isSnapshotUser: boolean;
  /** The per-user web access_token (not the account's access_token). Keep it out of logs. */
  accessToken: string;
  /** Seconds the per-user token lives (7200). */
  expiresIn: number;
  /** Refreshes the per-user token for 30 days. Keep it out of logs. */
  refreshToken: string;
  /** WeChat's untouched answer. */
  raw: Record<string, unknown>;
}

/** A successful callback: who the user is and where to send them. */
export interface WechatOAuthCallbackResult {
  user: WechatOAuthResult;
  /** The (already validated) `returnTo` of the authorize request. */
  returnTo: string;
}

/** `/sns/userinfo` (needs `snsapi_userinfo`; sex and region are no longer returned). */
export interface WechatOAuthUserInfo {
  openId: string;
  nickname: string;
  /** Avatar URL (may be empty). */
  headImgUrl: string;
  privilege: string[];
  unionId?: string;
  /** WeChat's untouched answer. */
  raw: Record<string, unknown>;
}
