import type { WechatMenu } from '../api/domains/menu.interfaces';
import type { Cluster, Redis } from 'ioredis';

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
  /** The Official Account's AppID (`wx…`). */
  appId: string;
  /** The AppSecret, used only to obtain access tokens. */
  appSecret: string;
  /** The callback Token configured in the admin console; required for the callback endpoint. */
  token?: string;
  /** The 43-character EncodingAESKey; absent means plaintext mode only. */
  encodingAESKey?: string;
  /** The previous EncodingAESKey, tried when decryption with the current one fails (key rotation). */
  previousEncodingAESKey?: string;

  /** Base URL of WeChat's HTTP API. Default `https://api.weixin.qq.com`. */
  apiBaseUrl?: string;
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
  /** Prefix of the Redis keys (`<prefix>access_token:<appId>`). Default `wechat:`. */
  keyPrefix?: string;
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
  /** Refuse plaintext pushes when an EncodingAESKey is configured (downgrade guard). Default false. */
  requireEncryption?: boolean;
  /** Refuse pushes whose timestamp is further than this from now, in seconds. Default off. */
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
  /** Re-throw handler errors instead of answering `success` (for tests). Default false. */
  rethrowHandlerErrors?: boolean;
  /**
   * Menus as code: the account's default custom menu. At start-up it is compared with what WeChat
   * has (`menu/get`) and created only when it differs (create costs 1 000 calls a day), by one
   * instance of the fleet at a time (a lock in the shared store); the outcome is logged. A failure
   * is logged and does not stop the app. Checked at boot like `client.menu.create` checks it.
   * Default: none (the menu is left alone).
   */
  menu?: WechatMenu;
}
