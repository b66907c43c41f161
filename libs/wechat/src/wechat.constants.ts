/** Injection token of the validated options with every default applied ({@link ResolvedWechatOptions}). */
export const WECHAT_OPTIONS = Symbol('WECHAT_OPTIONS');
/** Injection token of the {@link AccessTokenStore} (Redis-backed or in-memory). */
export const WECHAT_ACCESS_TOKEN_STORE = Symbol('WECHAT_ACCESS_TOKEN_STORE');

export const DEFAULT_API_BASE_URL = 'https://api.weixin.qq.com';
/** WeChat's web authorization host. */
export const DEFAULT_OAUTH_BASE_URL = 'https://open.weixin.qq.com';
/** How long a web authorization state and its code's result are kept, in s. */
export const DEFAULT_OAUTH_STATE_TTL_SECONDS = 600;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_RETRY_BACKOFF_MS = 200;
export const DEFAULT_KEY_PREFIX = 'wechat:';
export const DEFAULT_TOKEN_SAFETY_MARGIN_SECONDS = 300;
export const DEFAULT_LOCK_TTL_MS = 10_000;
export const DEFAULT_LOCK_POLL_INTERVAL_MS = 50;
export const DEFAULT_TOKEN_REFUSAL_TTL_MS = 5_000;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_BODY_READ_TIMEOUT_MS = 3_000;
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;
export const DEFAULT_REPLY_TIMEOUT_MS = 4_500;
export const DEFAULT_DEDUP_TTL_SECONDS = 60;
/** How long a push (or a token refresh) waits for a reconnecting Redis before working without it. */
export const DEFAULT_STORE_WAIT_MS = 1_500;

/** Metadata key under which `@OnWechatEvent` / `@OnWechatMessage` / `@OnWechatFallback` record handlers. */
export const WECHAT_HANDLER_METADATA = Symbol('wechat:handler');
/** Default path of the callback controller (`GET|POST /wechat`). */
export const DEFAULT_CALLBACK_PATH = 'wechat';
/** Internal token: whether the callback controller is mounted (then a `token` is required). */
export const WECHAT_CALLBACK_ENABLED = Symbol('WECHAT_CALLBACK_ENABLED');
/** Internal token: the ioredis client the access_token is shared through, or `undefined`. */
export const WECHAT_REDIS_CLIENT = Symbol('WECHAT_REDIS_CLIENT');
/** Internal token: the {@link PushDedupStore} (Redis-backed or in-memory). */
export const WECHAT_PUSH_DEDUP_STORE = Symbol('WECHAT_PUSH_DEDUP_STORE');
/** Internal token: the in-process {@link PushDedupStore} used while the shared one is unavailable. */
export const WECHAT_PUSH_DEDUP_FALLBACK_STORE = Symbol('WECHAT_PUSH_DEDUP_FALLBACK_STORE');

/** Internal token: the resolved accounts configuration ({@link ResolvedWechatAccountsConfig}). */
export const WECHAT_ACCOUNTS_CONFIG = Symbol('WECHAT_ACCOUNTS_CONFIG');
/** Token of the {@link WechatAccounts} registry, for hosts that look it up by symbol. */
export const WECHAT_ACCOUNTS = Symbol('WECHAT_ACCOUNTS');
/** The name of the account of the single-account options. */
export const DEFAULT_ACCOUNT_NAME = 'default';
export const DEFAULT_ACCOUNT_CACHE_TTL_MS = 300_000;
export const DEFAULT_ACCOUNT_MISS_TTL_MS = 10_000;
