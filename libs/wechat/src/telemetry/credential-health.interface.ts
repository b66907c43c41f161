/** The last failed refresh of a credential, as the health indicator reports it (no message text). */
export interface CredentialRefreshFailure {
  /** The error's class name (`WechatApiError`, `WechatHttpError` …). */
  readonly type: string;
  /** WeChat's errcode, for a `WechatApiError`. */
  readonly errcode?: number;
  /** The `WechatHttpError` reason (`TIMEOUT`, `NETWORK` …), for a transport failure. */
  readonly reason?: string;
  /** When it failed (ISO 8601). */
  readonly at: string;
}

/** What one credential of one account looks like to this process, for the health indicator. */
export interface CredentialHealth {
  /** The account name (`default` in the single-account form). */
  readonly account: string;
  /** The credential kind (`access_token`). */
  readonly kind: string;
  /** Whether this process holds a copy it may still serve. */
  readonly fresh: boolean;
  /** Whether the last use of the shared store (Redis) succeeded. */
  readonly storeReachable: boolean;
  /** The last refresh that failed, unless a later one succeeded. */
  readonly lastRefreshError?: CredentialRefreshFailure;
}
