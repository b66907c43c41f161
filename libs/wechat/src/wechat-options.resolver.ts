import type { WechatMenu } from './api/domains/menu.interfaces';
import { validateMenu } from './api/domains/menu.validation';
import { WechatValidationError } from './errors/wechat-api.error';
import { WechatConfigError } from './errors/wechat-config.error';
import type { ResolvedWechatOptions } from './interfaces/resolved-wechat-options.interface';
import type { WechatModuleOptions } from './interfaces/wechat-module-options.interface';
import {
  DEFAULT_API_BASE_URL,
  DEFAULT_KEY_PREFIX,
  DEFAULT_LOCK_POLL_INTERVAL_MS,
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_RETRIES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_BACKOFF_MS,
  DEFAULT_TOKEN_REFUSAL_TTL_MS,
  DEFAULT_TOKEN_SAFETY_MARGIN_SECONDS,
  DEFAULT_REPLY_TIMEOUT_MS,
  DEFAULT_DEDUP_TTL_SECONDS,
} from './wechat.constants';

const TOKEN_PATTERN = /^[A-Za-z0-9]{3,32}$/;
const AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;

/**
 * Validates the module options once, at start-up, and applies the defaults. Every message says what
 * to fix and never repeats a secret.
 *
 * @param requireToken whether the callback endpoint is mounted (then `token` is required).
 * @throws WechatConfigError
 */
export function resolveWechatOptions(
  raw: WechatModuleOptions | undefined,
  requireToken: boolean,
): ResolvedWechatOptions {
  if (!raw || typeof raw !== 'object') {
    throw new WechatConfigError(
      'no options were given: pass at least { appId, appSecret, token }.',
    );
  }
  const appId = requireString(raw.appId, 'appId', 'the AppID of the Official Account (wx…)');
  const appSecret = requireString(
    raw.appSecret,
    'appSecret',
    'the AppSecret of the Official Account',
  );
  const token = optionalString(raw.token, 'token');
  if (token === undefined && requireToken) {
    throw new WechatConfigError(
      '"token" is missing: set it to the Token of the server configuration in the admin console (3-32 letters or digits), or pass path: false to mount no callback endpoint.',
    );
  }
  if (token !== undefined && !TOKEN_PATTERN.test(token)) {
    throw new WechatConfigError(
      `"token" must be 3-32 letters or digits, as the admin console requires (got ${token.length} characters).`,
    );
  }
  const encodingAESKey = validateAesKey(raw.encodingAESKey, 'encodingAESKey');
  const previousEncodingAESKey = validateAesKey(
    raw.previousEncodingAESKey,
    'previousEncodingAESKey',
  );
  if (previousEncodingAESKey && !encodingAESKey) {
    throw new WechatConfigError('"previousEncodingAESKey" is set but "encodingAESKey" is not.');
  }
  if (encodingAESKey && !token) {
    throw new WechatConfigError(
      '"encodingAESKey" is set but "token" is not: safe mode needs both.',
    );
  }
  const tokenMode = raw.tokenMode ?? 'token';
  if (tokenMode !== 'token' && tokenMode !== 'stable_token') {
    throw new WechatConfigError('"tokenMode" must be "token" or "stable_token".');
  }
  const lockTtlMs = positiveInteger(raw.lockTtlMs, 'lockTtlMs', DEFAULT_LOCK_TTL_MS);
  const requireEncryption = raw.requireEncryption ?? false;
  if (requireEncryption && !encodingAESKey) {
    throw new WechatConfigError('"requireEncryption" is on but no "encodingAESKey" is configured.');
  }
  return {
    appId,
    appSecret,
    token,
    encodingAESKey,
    previousEncodingAESKey,
    apiBaseUrl: validateBaseUrl(raw.apiBaseUrl),
    requestTimeoutMs: positiveInteger(
      raw.requestTimeoutMs,
      'requestTimeoutMs',
      DEFAULT_REQUEST_TIMEOUT_MS,
    ),
    maxRetries: nonNegativeInteger(raw.maxRetries, 'maxRetries', DEFAULT_MAX_RETRIES),
    retryBackoffMs: nonNegativeInteger(
      raw.retryBackoffMs,
      'retryBackoffMs',
      DEFAULT_RETRY_BACKOFF_MS,
    ),
    tokenMode,
    keyPrefix: raw.keyPrefix ?? DEFAULT_KEY_PREFIX,
    tokenSafetyMarginSeconds: nonNegativeInteger(
      raw.tokenSafetyMarginSeconds,
      'tokenSafetyMarginSeconds',
      DEFAULT_TOKEN_SAFETY_MARGIN_SECONDS,
    ),
    lockTtlMs,
    lockPollIntervalMs: positiveInteger(
      raw.lockPollIntervalMs,
      'lockPollIntervalMs',
      DEFAULT_LOCK_POLL_INTERVAL_MS,
    ),
    lockWaitMs: positiveInteger(raw.lockWaitMs, 'lockWaitMs', lockTtlMs),
    tokenRefusalTtlMs: nonNegativeInteger(
      raw.tokenRefusalTtlMs,
      'tokenRefusalTtlMs',
      DEFAULT_TOKEN_REFUSAL_TTL_MS,
    ),
    maxBodyBytes: positiveInteger(raw.maxBodyBytes, 'maxBodyBytes', DEFAULT_MAX_BODY_BYTES),
    requireEncryption,
    replayWindowSeconds:
      raw.replayWindowSeconds === undefined
        ? undefined
        : positiveInteger(raw.replayWindowSeconds, 'replayWindowSeconds', 0),
    replyTimeoutMs: replyTimeout(raw.replyTimeoutMs),
    lateReplyViaCustomMessage: raw.lateReplyViaCustomMessage ?? true,
    dedupTtlSeconds: positiveInteger(
      raw.dedupTtlSeconds,
      'dedupTtlSeconds',
      DEFAULT_DEDUP_TTL_SECONDS,
    ),
    rethrowHandlerErrors: raw.rethrowHandlerErrors ?? false,
    menu: resolveMenu(raw.menu),
  };
}

function resolveMenu(menu: WechatModuleOptions['menu']): WechatMenu | undefined {
  if (menu === undefined) return undefined;
  try {
    validateMenu(menu);
  } catch (error: unknown) {
    if (error instanceof WechatValidationError) {
      throw new WechatConfigError(`"menu" would be refused by WeChat: ${error.message}`);
    }
    throw error;
  }
  return structuredClone(menu);
}

function replyTimeout(value: unknown): number {
  const ms = positiveInteger(value, 'replyTimeoutMs', DEFAULT_REPLY_TIMEOUT_MS);
  if (ms >= 5_000) {
    throw new WechatConfigError(
      `"replyTimeoutMs" must be under 5000: WeChat drops the connection after 5 s (got ${ms}).`,
    );
  }
  return ms;
}

function requireString(value: unknown, name: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new WechatConfigError(`"${name}" is missing: set it to ${what}.`);
  }
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new WechatConfigError(`"${name}" must be a string.`);
  return value;
}

function validateAesKey(value: unknown, name: string): string | undefined {
  const key = optionalString(value, name);
  if (key === undefined) return undefined;
  if (key.length !== 43) {
    throw new WechatConfigError(
      `"${name}" must be the 43-character EncodingAESKey from the admin console (got ${key.length} characters).`,
    );
  }
  if (!AES_KEY_PATTERN.test(key)) {
    throw new WechatConfigError(`"${name}" may contain only letters and digits.`);
  }
  return key;
}

function validateBaseUrl(value: unknown): string {
  if (value === undefined) return DEFAULT_API_BASE_URL;
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') return value.replace(/\/+$/, '');
    } catch {
      // fall through to the error below
    }
  }
  throw new WechatConfigError(
    '"apiBaseUrl" must be an http(s) URL such as https://api.weixin.qq.com.',
  );
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new WechatConfigError(`"${name}" must be a positive integer.`);
  }
  return value;
}

function nonNegativeInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new WechatConfigError(`"${name}" must be a non-negative integer.`);
  }
  return value;
}
