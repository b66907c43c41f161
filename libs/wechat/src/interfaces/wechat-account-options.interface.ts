import type { WechatTokenMode } from './wechat-module-options.interface';

/**
 * One Official Account of a multi-account configuration (`WechatModule.forRoot({ accounts })`, or
 * {@link WechatAccounts.register} at run time). The options every account shares (API base URL,
 * timeouts, Redis, key prefix, de-dup, reply budget …) stay at the top level of the module options;
 * `tokenMode`, `requireEncryption` and `replayWindowSeconds` there are the defaults of the accounts
 * that do not set their own.
 */
export interface WechatAccountOptions {
  /**
   * The account's name: its callback is served at `/<path>/<name>`, handlers filter on it and
   * `@InjectWechatClient(name)` injects its client. 1-64 letters, digits, `_` or `-`.
   */
  name: string;
  /** The Official Account's AppID (`wx…`); unique among the accounts. */
  appId: string;
  /** The AppSecret, used only to obtain access tokens. */
  appSecret: string;
  /** The callback Token of the account's server configuration; required for its callback. */
  token?: string;
  /** The 43-character EncodingAESKey; absent means plaintext mode only. */
  encodingAESKey?: string;
  /** The previous EncodingAESKey, tried when decryption with the current one fails. */
  previousEncodingAESKey?: string;
  /** `token` or `stable_token`. Default: the top-level `tokenMode` (itself `token`). */
  tokenMode?: WechatTokenMode;
  /** Refuse plaintext pushes to this account. Default: the top-level `requireEncryption`. */
  requireEncryption?: boolean;
  /** Replay window of this account's pushes, in seconds. Default: the top-level one (off). */
  replayWindowSeconds?: number;
}

/**
 * The account loader (`resolveAccount` option): called with the name of a push's path (or of a
 * {@link WechatAccounts.resolve} call) when no account of that name is registered. Returns the
 * account's options (its `name` must be the one asked for) or nothing for "no such account".
 * Its result is cached (`accountCacheTtlMs`, misses `accountMissTtlMs`); a loader that throws is
 * logged and counts as a miss.
 */
export type WechatAccountLoader = (
  name: string,
) => WechatAccountOptions | undefined | null | Promise<WechatAccountOptions | undefined | null>;
