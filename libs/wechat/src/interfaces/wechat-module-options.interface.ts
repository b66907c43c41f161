import type { WechatMenu } from '../api/domains/menu.interfaces';
import type { Cluster, Redis } from 'ioredis';
import type { WechatAccountLoader, WechatAccountOptions } from './wechat-account-options.interface';

/** A client registered with `@liaoliaots/nestjs-redis`, by name. */
export interface WechatNamedRedisClient {
  /** The client's namespace. Default `default`. */
  clientName?: string;
  /** Which module registers it, when both `RedisModule` and `ClusterModule` use the name. */
  kind?: 'redis' | 'cluster';
}

/** How the access_token is obtained from WeChat. */
export type WechatTokenMode = 'token' | 'stable_token';

/** Options of `WechatModule.forRoot` / `forRootAsync`. */
export interface WechatModuleOptions {
  /**
   * The Official Account's AppID (`wx…`). With `accounts`, the top-level credentials (if given)
   * are one more account, named `default`; without, they are required.
   */
  appId?: string;
  /** The AppSecret, used only to obtain access tokens. */
  appSecret?: string;
  /** The callback Token configured in the admin console; required for the callback endpoint. */
  token?: string;
  /** The 43-character EncodingAESKey; absent means plaintext mode only. */
  encodingAESKey?: string;
  /** The previous EncodingAESKey, tried when decryption with the current one fails (key rotation). */
  previousEncodingAESKey?: string;

  /** Base URL of WeChat's HTTP API. Default `https://api.weixin.qq.com`. */
  apiBaseUrl?: string;
  /**
   * Base URL of WeChat's web authorization page (`<base>/connect/oauth2/authorize`). Default
   * `https://open.weixin.qq.com`; the testing kit's sandbox serves one too.
   */
  oauthBaseUrl?: string;
  /**
   * Origins (`https://m.example.com`) a web authorization's `returnTo` may point at, besides paths
   * of this app. Default none: only paths.
   */
  oauthAllowedReturnOrigins?: string[];
  /** How long a web authorization's state (and the result of its code) is kept, in s. Default 600. */
  oauthStateTtlSeconds?: number;
  /** Timeout of one HTTP request to WeChat, in ms. Default 10 000. */
  requestTimeoutMs?: number;
  /** Retries after `-1` (system busy) or a network error. Default 2. */
  maxRetries?: number;
  /** First backoff between those retries, in ms (doubled each time). Default 200. */
  retryBackoffMs?: number;

  /**
   * Where the access_token and the push de-dup are shared between processes: an ioredis client (or
   * Cluster), or the name of a client registered with `@liaoliaots/nestjs-redis`'s `RedisModule` or
   * `ClusterModule` (`{ clientName: 'default' }`; `kind` picks one when both register the name).
   * Absent → in-memory (single instance only).
   */
  redis?: Redis | Cluster | WechatNamedRedisClient;
  /** `token` (classic `GET /cgi-bin/token`, default) or `stable_token` (`POST /cgi-bin/stable_token`). */
  tokenMode?: WechatTokenMode;
  /**
   * Prefix of the Redis keys (`<prefix>{<appId>}:access_token`, see the README's key schema).
   * Default `wechat:`. Keep hash tags (`{…}`) out of it on a Redis Cluster: one would put every
   * key of the module in one slot.
   */
  keyPrefix?: string;
  /**
   * During a rolling deploy from a version before 0.2 (keys without hash tags,
   * `<prefix>access_token:<appId>`): read the token under its old name when the new one is empty,
   * mirror the token to it and take the refresh lock under both names, so old and new instances
   * share one token and one refresh; and read a push's old de-dup key
   * (`<prefix>push:<appId>:id:<MsgId>`) before claiming it, so a retry of a push an old instance
   * handled does not run again. Turn off once no old instance is left. Default true.
   */
  legacyKeys?: boolean;
  /**
   * The cached token expires this many seconds before WeChat's `expires_in`, but at most half of
   * `expires_in` earlier (served for `expires_in − min(margin, expires_in / 2)`). Default 300.
   */
  tokenSafetyMarginSeconds?: number;
  /** TTL of the cross-process refresh lock, in ms. Default 10 000. */
  lockTtlMs?: number;
  /** How often a waiter re-reads the shared cache while another process refreshes, in ms. Default 50. */
  lockPollIntervalMs?: number;
  /**
   * No longer has an effect: a waiter tries the lock at every poll, so it takes over as soon as the
   * holder releases it (or it expires). Still accepted and validated.
   */
  lockWaitMs?: number;
  /**
   * How long a refusal of the token endpoint (a WeChat errcode such as 40164, 40125, 45009) is kept
   * in the shared store, in ms: every process gets the same typed error at once during that time
   * and the fleet asks WeChat about once per period. `0` turns the sharing off. Default 5 000.
   */
  tokenRefusalTtlMs?: number;

  /** Largest accepted callback body, in bytes. Default 65 536. */
  maxBodyBytes?: number;
  /**
   * How long a verified push may take to send its body, in ms from the request's arrival: past it
   * the endpoint answers 408 and drops the connection, so a client trickling its body cannot hold
   * a connection. Keep it below `replyTimeoutMs`. Default 3 000.
   */
  bodyReadTimeoutMs?: number;
  /**
   * Refuse plaintext pushes when an EncodingAESKey is configured (downgrade guard). Default false,
   * so pushes keep arriving while the admin console is switched to safe mode; turn it on once the
   * console is in safe mode (the module says so at start-up).
   */
  requireEncryption?: boolean;
  /**
   * Refuse (403, before the body is read) requests whose signed timestamp is further than this from
   * now, in seconds: the plaintext `signature` does not cover the body, so an old signed URL could
   * otherwise carry any body. `0` turns the check off. Default 300.
   */
  replayWindowSeconds?: number;
  /**
   * Budget for answering one push, in ms. WeChat waits 5 s; when the handlers have not replied by
   * then the endpoint answers `success` and lets them finish. Default 4 500.
   */
  replyTimeoutMs?: number;
  /**
   * Send a reply produced after `replyTimeoutMs` as a customer-service message (text, image, voice,
   * video, music, news). Default true.
   */
  lateReplyViaCustomMessage?: boolean;
  /**
   * How long a handled push is remembered, so WeChat's retries (up to 3 deliveries within ~15 s,
   * possibly to another instance) get the same reply without running the handlers again. In
   * seconds. Default 60.
   */
  dedupTtlSeconds?: number;
  /**
   * How long a push waits for a Redis client that is reconnecting (ioredis status not `ready`, as
   * during a Sentinel or Cluster failover) before de-duplicating in this process's memory, in ms.
   * Also bounded by half of `replyTimeoutMs`. `0` falls back at once. Default 1 500.
   */
  storeWaitMs?: number;
  /** Re-throw handler errors instead of answering `success` (for tests). Default false. */
  rethrowHandlerErrors?: boolean;

  /**
   * Several Official Accounts in one app: each is served at `/<path>/<name>` with its own
   * credentials, Token and keys; the other options are shared. See {@link WechatAccountOptions}.
   */
  accounts?: WechatAccountOptions[];
  /**
   * The account the unnamed `WechatClientService`, `AccessTokenService`, `MsgCryptService` and the
   * bare `/<path>` callback mean. Default: the account named `default` if there is one, else the
   * only account if there is exactly one, else none (then injecting an unnamed service is a boot
   * error).
   */
  defaultAccount?: string;
  /**
   * Loads an account that is not registered (a push to `/<path>/<name>`, or
   * `WechatAccounts.resolve(name)`), e.g. from the host's database, so every instance of a fleet
   * serves accounts registered on another one. See {@link WechatAccountLoader}.
   */
  resolveAccount?: WechatAccountLoader;
  /** How long an account the loader returned is kept before it is loaded again, in ms. Default 300 000. */
  accountCacheTtlMs?: number;
  /** How long a name the loader did not know (or failed on) is answered 404 without asking, in ms. Default 10 000. */
  accountMissTtlMs?: number;
  /**
   * Menus as code: the account's default custom menu. At start-up it is compared with what WeChat
   * has (`menu/get`) and created only when it differs (create costs 1 000 calls a day), by one
   * instance of the fleet at a time (a lock in the shared store); the outcome is logged. A failure
   * is logged and does not stop the app. Checked at boot like `client.menu.create` checks it.
   * Default: none (the menu is left alone).
   */
  menu?: WechatMenu;
}
