import type { WechatModuleOptions } from '@app/wechat';

/**
 * The options of {@link WechatModuleOptions} whose value is a string, a number or a boolean (every
 * option but `redis`): each one has an environment variable in {@link WECHAT_ENV_TABLE}.
 */
export type ScalarOptionKey = {
  [K in keyof WechatModuleOptions]-?: [NonNullable<WechatModuleOptions[K]>] extends [
    string | number | boolean,
  ]
    ? K
    : never;
}[keyof WechatModuleOptions];

/**
 * How a variable's text is read: `string` as is, `secret` as is and never repeated in a message or
 * a log, `number` as a decimal number, `boolean` as `true`/`false`, `enum` as one of its values.
 */
export type EnvVariableType = 'string' | 'secret' | 'number' | 'boolean' | 'enum';

/** The types a variable of an option whose value is `V` may have. */
type EnvTypeOf<V> = [V] extends [number]
  ? 'number'
  : [V] extends [boolean]
    ? 'boolean'
    : string extends V
      ? 'string' | 'secret'
      : 'enum';

/** What every variable the demo reads documents about itself. */
export interface EnvVariableRow<Type extends EnvVariableType = EnvVariableType> {
  /** The variable's name. */
  readonly variable: string;
  readonly type: Type;
  /** The default as written in the docs; `undefined` when unset means "none". */
  readonly default: string | undefined;
  /** One line: what it sets (for the README table and `.env.example`). */
  readonly description: string;
}

/** An enum variable: the values it accepts, each with what it means. */
interface EnumValues<V extends string> {
  readonly values: { readonly [Value in V]: string };
}

/** The row of the module option `K`: its type follows the option's type. */
export type WechatEnvRow<K extends ScalarOptionKey> = EnvVariableRow<
  EnvTypeOf<NonNullable<WechatModuleOptions[K]>>
> &
  (EnvTypeOf<NonNullable<WechatModuleOptions[K]>> extends 'enum'
    ? EnumValues<Extract<NonNullable<WechatModuleOptions[K]>, string>>
    : unknown);

/**
 * Every scalar option of `WechatModuleOptions` and the variable it is read from: `WECHAT_` + the
 * option in upper snake case. An option missing here does not compile (the `satisfies` below), so
 * a new option cannot be forgotten: add its row, and `.env.example` and the README's table follow
 * (`npm run docs:env`; a spec fails while they differ).
 *
 * An empty variable counts as unset (the option's default applies).
 */
export const WECHAT_ENV_TABLE = {
  appId: {
    variable: 'WECHAT_APP_ID',
    type: 'string',
    default: undefined,
    description: 'AppID (`wx…`); when unset the demo runs in sandbox mode',
  },
  appSecret: {
    variable: 'WECHAT_APP_SECRET',
    type: 'secret',
    default: undefined,
    description: 'AppSecret, used only to obtain access tokens',
  },
  token: {
    variable: 'WECHAT_TOKEN',
    type: 'secret',
    default: undefined,
    description: "the callback Token of the admin console's server configuration",
  },
  encodingAESKey: {
    variable: 'WECHAT_ENCODING_AES_KEY',
    type: 'secret',
    default: undefined,
    description: 'the EncodingAESKey (43 characters); unset means plaintext only',
  },
  previousEncodingAESKey: {
    variable: 'WECHAT_PREVIOUS_ENCODING_AES_KEY',
    type: 'secret',
    default: undefined,
    description: 'the previous EncodingAESKey, also tried while decrypting (key rotation)',
  },
  apiBaseUrl: {
    variable: 'WECHAT_API_BASE_URL',
    type: 'string',
    default: 'https://api.weixin.qq.com',
    description: "WeChat's API base URL",
  },
  oauthBaseUrl: {
    variable: 'WECHAT_OAUTH_BASE_URL',
    type: 'string',
    default: 'https://open.weixin.qq.com',
    description: "WeChat's web authorization page (the sandbox serves one too)",
  },
  oauthStateTtlSeconds: {
    variable: 'WECHAT_OAUTH_STATE_TTL_SECONDS',
    type: 'number',
    default: '600',
    description: 'how long a web authorization state and its code result are kept, in s',
  },
  requestTimeoutMs: {
    variable: 'WECHAT_REQUEST_TIMEOUT_MS',
    type: 'number',
    default: '10000',
    description: 'timeout of one HTTP request to WeChat, in ms',
  },
  maxRetries: {
    variable: 'WECHAT_MAX_RETRIES',
    type: 'number',
    default: '2',
    description: 'retries after `-1` (system busy) or a network error',
  },
  retryBackoffMs: {
    variable: 'WECHAT_RETRY_BACKOFF_MS',
    type: 'number',
    default: '200',
    description: 'first backoff between those retries, in ms (doubles each time)',
  },
  tokenMode: {
    variable: 'WECHAT_TOKEN_MODE',
    type: 'enum',
    default: 'token',
    description: 'how the access_token is obtained',
    values: {
      token: 'the classic `GET /cgi-bin/token`',
      stable_token: '`POST /cgi-bin/stable_token`',
    },
  },
  keyPrefix: {
    variable: 'WECHAT_KEY_PREFIX',
    type: 'string',
    default: 'wechat:',
    description: 'prefix of the Redis keys (`<prefix>{<appId>}:access_token`); no `{…}` in it',
  },
  legacyKeys: {
    variable: 'WECHAT_LEGACY_KEYS',
    type: 'boolean',
    default: 'true',
    description: 'rolling deploy from 0.1: read the old token and push key names (tokens mirrored)',
  },
  tokenSafetyMarginSeconds: {
    variable: 'WECHAT_TOKEN_SAFETY_MARGIN_SECONDS',
    type: 'number',
    default: '300',
    description: 'the token is served for `expires_in` − min(this, `expires_in` / 2), in s',
  },
  lockTtlMs: {
    variable: 'WECHAT_LOCK_TTL_MS',
    type: 'number',
    default: '10000',
    description: 'TTL of the cross-process refresh lock, in ms',
  },
  lockPollIntervalMs: {
    variable: 'WECHAT_LOCK_POLL_INTERVAL_MS',
    type: 'number',
    default: '50',
    description: 'how often a waiter re-reads the shared token while another refreshes, in ms',
  },
  lockWaitMs: {
    variable: 'WECHAT_LOCK_WAIT_MS',
    type: 'number',
    default: '10000',
    description: 'no effect any more (waiters try the lock at every poll); still validated',
  },
  tokenRefusalTtlMs: {
    variable: 'WECHAT_TOKEN_REFUSAL_TTL_MS',
    type: 'number',
    default: '5000',
    description: 'a token-endpoint errcode is shared with the fleet this long, in ms; `0` is off',
  },
  maxBodyBytes: {
    variable: 'WECHAT_MAX_BODY_BYTES',
    type: 'number',
    default: '65536',
    description: 'largest accepted callback body, in bytes; larger pushes get 413',
  },
  requireEncryption: {
    variable: 'WECHAT_REQUIRE_ENCRYPTION',
    type: 'boolean',
    default: 'false',
    description: 'refuse plaintext pushes when an EncodingAESKey is set (downgrade guard)',
  },
  replayWindowSeconds: {
    variable: 'WECHAT_REPLAY_WINDOW_SECONDS',
    type: 'number',
    default: '300',
    description:
      'refuse pushes whose timestamp is further than this from now, in s; `0` is off (e.g. to replay recorded pushes)',
  },
  bodyReadTimeoutMs: {
    variable: 'WECHAT_BODY_READ_TIMEOUT_MS',
    type: 'number',
    default: '3000',
    description: 'a callback body must arrive within this of the request, in ms (else 408)',
  },
  replyTimeoutMs: {
    variable: 'WECHAT_REPLY_TIMEOUT_MS',
    type: 'number',
    default: '4500',
    description: 'budget for answering one push, in ms (under 5000)',
  },
  lateReplyViaCustomMessage: {
    variable: 'WECHAT_LATE_REPLY_VIA_CUSTOM_MESSAGE',
    type: 'boolean',
    default: 'true',
    description: 'send a reply that missed the budget as a customer-service message',
  },
  dedupTtlSeconds: {
    variable: 'WECHAT_DEDUP_TTL_SECONDS',
    type: 'number',
    default: '60',
    description: "how long a handled push is remembered for WeChat's retries, in s",
  },
  storeWaitMs: {
    variable: 'WECHAT_STORE_WAIT_MS',
    type: 'number',
    default: '1500',
    description:
      'how long a push waits for a reconnecting Redis (failover) before using memory, in ms',
  },
  rethrowHandlerErrors: {
    variable: 'WECHAT_RETHROW_HANDLER_ERRORS',
    type: 'boolean',
    default: 'false',
    description: 're-throw handler errors instead of answering `success` (for tests)',
  },
  defaultAccount: {
    variable: 'WECHAT_DEFAULT_ACCOUNT',
    type: 'string',
    default: undefined,
    description:
      'with `WECHAT_ACCOUNTS`: the account `/wechat` and `POST /login/qrcode` mean (default `default`, the `WECHAT_APP_ID` one)',
  },
  accountCacheTtlMs: {
    variable: 'WECHAT_ACCOUNT_CACHE_TTL_MS',
    type: 'number',
    default: '300000',
    description:
      'an account from the `resolveAccount` loader is reloaded after this, in ms (hosts with a loader)',
  },
  accountMissTtlMs: {
    variable: 'WECHAT_ACCOUNT_MISS_TTL_MS',
    type: 'number',
    default: '10000',
    description: 'a name the loader did not know is answered 404 this long without asking, in ms',
  },
} as const satisfies { readonly [K in ScalarOptionKey]: WechatEnvRow<K> };

/** The demo's own variables, which are not module options. */
export const DEMO_ENV_TABLE = {
  port: {
    variable: 'PORT',
    type: 'number',
    default: '3000',
    description: 'HTTP port of the demo',
  },
  httpAdapter: {
    variable: 'HTTP_ADAPTER',
    type: 'enum',
    default: 'express',
    description: 'the HTTP platform the demo runs on',
    values: { express: '`@nestjs/platform-express`', fastify: '`@nestjs/platform-fastify`' },
  },
  wechatAccounts: {
    variable: 'WECHAT_ACCOUNTS',
    type: 'secret',
    default: undefined,
    description:
      'JSON array of more Official Accounts `[{ "name", "appId", "appSecret", "token", "encodingAESKey"? }]`, each served at `/wechat/<name>`',
  },
  redisUrl: {
    variable: 'REDIS_URL',
    type: 'secret',
    default: undefined,
    description:
      'e.g. `redis://127.0.0.1:6379`; with none of the three below, in-memory (one instance only)',
  },
  redisClusterNodes: {
    variable: 'REDIS_CLUSTER_NODES',
    type: 'string',
    default: undefined,
    description: '`host:port,host:port,…`: an ioredis Cluster (wins over the two below)',
  },
  redisSentinels: {
    variable: 'REDIS_SENTINELS',
    type: 'string',
    default: undefined,
    description: '`host:port,…`: a Sentinel-managed primary (wins over `REDIS_URL`)',
  },
  redisSentinelName: {
    variable: 'REDIS_SENTINEL_NAME',
    type: 'string',
    default: 'mymaster',
    description: "the primary's name for `REDIS_SENTINELS`",
  },
} as const satisfies Record<string, EnvVariableRow & Partial<EnumValues<string>>>;

/** A row of either table, as the docs and the test helpers read them. */
export type AnyEnvRow = EnvVariableRow & { readonly values?: Readonly<Record<string, string>> };

/** Every variable the demo reads, in the order of the docs: the demo's own, then the module's. */
export const ENV_ROWS: readonly AnyEnvRow[] = [
  ...Object.values(DEMO_ENV_TABLE),
  ...Object.values(WECHAT_ENV_TABLE),
];

/** The names of every variable the demo reads. */
export const ENV_VARIABLES: readonly string[] = ENV_ROWS.map((row) => row.variable);
