import type { WechatMenu } from '../api/domains/menu.interfaces';
import type { WechatModuleOptions, WechatTokenMode } from './wechat-module-options.interface';

/**
 * The module options after validation, with every default applied. Injected with
 * `@Inject(WECHAT_OPTIONS)`; the Redis client itself is resolved separately.
 */
export interface ResolvedWechatOptions {
  appId: string;
  appSecret: string;
  token?: string;
  encodingAESKey?: string;
  previousEncodingAESKey?: string;
  apiBaseUrl: string;
  oauthBaseUrl: string;
  oauthAllowedReturnOrigins: string[];
  oauthStateTtlSeconds: number;
  requestTimeoutMs: number;
  maxRetries: number;
  retryBackoffMs: number;
  tokenMode: WechatTokenMode;
  keyPrefix: string;
  legacyKeys: boolean;
  tokenSafetyMarginSeconds: number;
  lockTtlMs: number;
  lockPollIntervalMs: number;
  lockWaitMs: number;
  tokenRefusalTtlMs: number;
  maxBodyBytes: number;
  bodyReadTimeoutMs: number;
  requireEncryption: boolean;
  /** `0`: off. */
  replayWindowSeconds: number;
  replyTimeoutMs: number;
  lateReplyViaCustomMessage: boolean;
  dedupTtlSeconds: number;
  storeWaitMs: number;
  rethrowHandlerErrors: boolean;
  menu?: WechatMenu;
}

/** One account's resolved options: the shared ones and its own, with its name. */
export interface ResolvedWechatAccount extends ResolvedWechatOptions {
  /** The account's name (`default` for the single-account form). */
  readonly name: string;
}

/** Keys of {@link WechatModuleOptions} that are copied into {@link ResolvedWechatOptions}. */
export type WechatOptionKey = Exclude<keyof WechatModuleOptions, 'redis'>;
