import type { WechatMenu } from './api/domains/menu.interfaces';
import { validateMenu } from './api/domains/menu.validation';
import { WechatValidationError } from './errors/wechat-api.error';
import { WechatConfigError } from './errors/wechat-config.error';
import type { ResolvedWechatOptions } from './interfaces/resolved-wechat-options.interface';
import type {
  WechatModuleOptions,
  WechatTokenMode,
} from './interfaces/wechat-module-options.interface';
import {
  DEFAULT_API_BASE_URL,
  DEFAULT_OAUTH_BASE_URL,
  DEFAULT_OAUTH_STATE_TTL_SECONDS,
  DEFAULT_BODY_READ_TIMEOUT_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_LOCK_POLL_INTERVAL_MS,
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_RETRIES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_BACKOFF_MS,
  DEFAULT_TOKEN_REFUSAL_TTL_MS,
  DEFAULT_TOKEN_SAFETY_MARGIN_SECONDS,
  DEFAULT_REPLAY_WINDOW_SECONDS,
  DEFAULT_REPLY_TIMEOUT_MS,
  DEFAULT_DEDUP_TTL_SECONDS,
  DEFAULT_STORE_WAIT_MS,
} from './wechat.constants';

const TOKEN_PATTERN = /^[A-Za-z0-9]{3,32}$/;
const AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;

/** The per-account fields of {@link ResolvedWechatOptions}. */
export type WechatAccountFields = Pick<
  ResolvedWechatOptions,
  | 'appId'
  | 'appSecret'
  | 'token'
  | 'encodingAESKey'
  | 'previousEncodingAESKey'
  | 'tokenMode'
  | 'requireEncryption'
  | 'replayWindowSeconds'
>;

/** The options every account shares (everything but {@link WechatAccountFields}). */
export type WechatSharedOptions = Omit<ResolvedWechatOptions, keyof WechatAccountFields>;

/** What an account inherits from the top-level options when it does not set them itself. */
export type WechatAccountDefaults = Pick<
  ResolvedWechatOptions,
  'tokenMode' | 'requireEncryption' | 'replayWindowSeconds'
>;

/** The per-account part of the raw options (credentials, keys, token mode, push checks). */
export type WechatAccountInput = Partial<Record<keyof WechatAccountFields, unknown>>;

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
  const shared = resolveSharedWechatOptions(raw);
  const account = resolveAccountFields(raw, requireToken, DEFAULT_ACCOUNT_FIELDS, '');
  return { ...shared, ...account };
}

/** The defaults of the per-account fields that the top-level options may override. */
const DEFAULT_ACCOUNT_FIELDS: WechatAccountDefaults = {
  tokenMode: 'token',
  requireEncryption: false,
  replayWindowSeconds: DEFAULT_REPLAY_WINDOW_SECONDS,
};

/**
 * The top-level defaults of `tokenMode`, `requireEncryption` and `replayWindowSeconds` for the
 * accounts of a multi-account configuration (validated, not checked against any key).
 *
 * @throws WechatConfigError
 */
export function resolveAccountDefaults(raw: WechatModuleOptions): WechatAccountDefaults {
  return {
    tokenMode: tokenModeOf(raw.tokenMode, DEFAULT_ACCOUNT_FIELDS.tokenMode, ''),
    requireEncryption: booleanOf(raw.requireEncryption, 'requireEncryption', false, ''),
    replayWindowSeconds: replayWindowOf(raw.replayWindowSeconds, DEFAULT_REPLAY_WINDOW_SECONDS, ''),
  };
}

/**
 * Validates one account's credentials, keys and push checks. `label` starts every message (e.g.
 * `account "shop": `) so the host knows which account to fix; empty for the single-account form.
 *
 * @throws WechatConfigError
 */
export function resolveAccountFields(
  raw: WechatAccountInput,
  requireToken: boolean,
  defaults: WechatAccountDefaults,
  label: string,
): WechatAccountFields {
  const fail = (message: string): never => {
    throw new WechatConfigError(`${label}${message}`);
  };
  const appId = requireString(raw.appId, 'appId', 'the AppID of the Official Account (wx…)', label);
  const appSecret = requireString(
    raw.appSecret,
    'appSecret',
    'the AppSecret of the Official Account',
    label,
  );
  const token = optionalString(raw.token, 'token', label);
  if (token === undefined && requireToken) {
    fail(
      '"token" is missing: set it to the Token of the server configuration in the admin console (3-32 letters or digits), or pass path: false to mount no callback endpoint.',
    );
  }
  if (token !== undefined && !TOKEN_PATTERN.test(token)) {
    fail(
      `"token" must be 3-32 letters or digits, as the admin console requires (got ${token.length} characters).`,
    );
  }
  const encodingAESKey = validateAesKey(raw.encodingAESKey, 'encodingAESKey', label);
  const previousEncodingAESKey = validateAesKey(
    raw.previousEncodingAESKey,
    'previousEncodingAESKey',
    label,
  );
  if (previousEncodingAESKey && !encodingAESKey) {
    fail('"previousEncodingAESKey" is set but "encodingAESKey" is not.');
  }
  if (encodingAESKey && !token) {
    fail('"encodingAESKey" is set but "token" is not: safe mode needs both.');
  }
  const tokenMode = tokenModeOf(raw.tokenMode, defaults.tokenMode, label);
  const requireEncryption = booleanOf(
    raw.requireEncryption,
    'requireEncryption',
    defaults.requireEncryption,
    label,
  );
  if (requireEncryption && !encodingAESKey) {
    fail('"requireEncryption" is on but no "encodingAESKey" is configured.');
  }
  return {
    appId,
    appSecret,
    token,
    encodingAESKey,
    previousEncodingAESKey,
    tokenMode,
    requireEncryption,
    replayWindowSeconds: replayWindowOf(
      raw.replayWindowSeconds,
      defaults.replayWindowSeconds,
      label,
    ),
  };
}

/**
 * Validates the options every account shares and applies their defaults.
 *
 * @throws WechatConfigError
 */
export function resolveSharedWechatOptions(raw: WechatModuleOptions): WechatSharedOptions {
  const lockTtlMs = positiveInteger(raw.lockTtlMs, 'lockTtlMs', DEFAULT_LOCK_TTL_MS);
  return {
    apiBaseUrl: validateBaseUrl(raw.apiBaseUrl),
    oauthBaseUrl: validateBaseUrl(raw.oauthBaseUrl, 'oauthBaseUrl', DEFAULT_OAUTH_BASE_URL),
    oauthAllowedReturnOrigins: validateOrigins(raw.oauthAllowedReturnOrigins),
    oauthStateTtlSeconds: positiveInteger(
      raw.oauthStateTtlSeconds,
      'oauthStateTtlSeconds',
      DEFAULT_OAUTH_STATE_TTL_SECONDS,
    ),
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
    keyPrefix: raw.keyPrefix ?? DEFAULT_KEY_PREFIX,
    legacyKeys: booleanOption(raw.legacyKeys, 'legacyKeys', true),
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
    bodyReadTimeoutMs: positiveInteger(
      raw.bodyReadTimeoutMs,
      'bodyReadTimeoutMs',
      DEFAULT_BODY_READ_TIMEOUT_MS,
    ),
    replyTimeoutMs: replyTimeout(raw.replyTimeoutMs),
    lateReplyViaCustomMessage: raw.lateReplyViaCustomMessage ?? true,
    dedupTtlSeconds: positiveInteger(
      raw.dedupTtlSeconds,
      'dedupTtlSeconds',
      DEFAULT_DEDUP_TTL_SECONDS,
    ),
    storeWaitMs: nonNegativeInteger(raw.storeWaitMs, 'storeWaitMs', DEFAULT_STORE_WAIT_MS),
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

function tokenModeOf(value: unknown, fallback: WechatTokenMode, label: string): WechatTokenMode {
  const tokenMode = value ?? fallback;
  if (tokenMode !== 'token' && tokenMode !== 'stable_token') {
    throw new WechatConfigError(`${label}"tokenMode" must be "token" or "stable_token".`);
  }
  return tokenMode;
}

function booleanOf(value: unknown, name: string, fallback: boolean, label: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new WechatConfigError(`${label}"${name}" must be true or false.`);
  }
  return value;
}

function replayWindowOf(value: unknown, fallback: number, label: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new WechatConfigError(`${label}"replayWindowSeconds" must be a non-negative integer.`);
  }
  return value;
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

function requireString(value: unknown, name: string, what: string, label: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new WechatConfigError(`${label}"${name}" is missing: set it to ${what}.`);
  }
  return value;
}

function optionalString(value: unknown, name: string, label: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new WechatConfigError(`${label}"${name}" must be a string.`);
  }
  return value;
}

function validateAesKey(value: unknown, name: string, label: string): string | undefined {
  const key = optionalString(value, name, label);
  if (key === undefined) return undefined;
  if (key.length !== 43) {
    throw new WechatConfigError(
      `${label}"${name}" must be the 43-character EncodingAESKey from the admin console (got ${key.length} characters).`,
    );
  }
  if (!AES_KEY_PATTERN.test(key)) {
    throw new WechatConfigError(`${label}"${name}" may contain only letters and digits.`);
  }
  return key;
}

function validateBaseUrl(
  value: unknown,
  name = 'apiBaseUrl',
  fallback = DEFAULT_API_BASE_URL,
): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') return value.replace(/\/+$/, '');
    } catch {
      // fall through to the error below
    }
  }
  throw new WechatConfigError(`"${name}" must be an http(s) URL such as ${fallback}.`);
}

function validateOrigins(value: unknown): string[] {
  if (value === undefined) return [];
  const message =
    '"oauthAllowedReturnOrigins" must be a list of origins such as https://m.example.com.';
  if (!Array.isArray(value)) throw new WechatConfigError(message);
  return value.map((origin: unknown) => {
    if (typeof origin !== 'string') throw new WechatConfigError(message);
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new WechatConfigError(message);
    }
    if (
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.origin !== origin.replace(/\/$/, '')
    ) {
      throw new WechatConfigError(message);
    }
    return url.origin;
  });
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

function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new WechatConfigError(`"${name}" must be true or false.`);
  return value;
}
