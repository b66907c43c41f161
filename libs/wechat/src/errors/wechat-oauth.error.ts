import { WechatError } from './wechat.error';

/** Why a web authorization callback was refused before any code exchange. */
export type WechatOAuthStateFailure =
  /** The `state` is missing, malformed, or was never issued by this fleet. */
  | 'UNKNOWN_STATE'
  /** The `state` was issued but its time (`oauthStateTtlSeconds`) is over. */
  | 'EXPIRED_STATE'
  /** The `state` already came back with another code: a forged or mixed-up callback. */
  | 'STATE_USED_WITH_ANOTHER_CODE'
  /** The callback has no usable `code` (the user refused, or the URL was cut). */
  | 'MISSING_CODE';

/**
 * A web authorization callback (`?code&state`) that cannot be trusted: answer it with 400. Raised
 * before any call to WeChat; the message never contains the code or the state.
 */
export class WechatOAuthStateError extends WechatError {
  readonly code = 'WECHAT_OAUTH_STATE';

  /** @param reason what is wrong with the callback. */
  constructor(readonly reason: WechatOAuthStateFailure) {
    super(MESSAGES[reason]);
  }
}

const MESSAGES: Readonly<Record<WechatOAuthStateFailure, string>> = {
  UNKNOWN_STATE:
    'The web authorization callback has an unknown state: it was not issued by this app (a forged or foreign link). Start again from the authorize URL.',
  EXPIRED_STATE:
    'The web authorization callback has an expired state: the user took longer than oauthStateTtlSeconds. Start again from the authorize URL.',
  STATE_USED_WITH_ANOTHER_CODE:
    'The web authorization state already came back with another code: refused (a forged or mixed-up callback).',
  MISSING_CODE:
    'The web authorization callback has no code: the user refused the authorization or the URL was cut.',
};
