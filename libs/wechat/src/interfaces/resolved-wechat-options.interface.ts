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
  requestTimeoutMs: number;
  maxRetries: number;
  retryBackoffMs: number;
  tokenMode: WechatTokenMode;
  keyPrefix: string;
  tokenSafetyMarginSeconds: number;
  lockTtlMs: number;
  lockPollIntervalMs: number;
  lockWaitMs: number;
  tokenRefusalTtlMs: number;
  maxBodyBytes: number;
  requireEncryption: boolean;
  replayWindowSeconds?: number;
  replyTimeoutMs: number;
  lateReplyViaCustomMessage: boolean;
  dedupTtlSeconds: number;
  rethrowHandlerErrors: boolean;
  menu?: WechatMenu;
}

/** Keys of {@link WechatModuleOptions} that are copied into {@link ResolvedWechatOptions}. */
export type WechatOptionKey = Exclude<keyof WechatModuleOptions, 'redis'>;
