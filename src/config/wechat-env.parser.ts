import {
  resolveWechatAccounts,
  resolveWechatOptions,
  WechatConfigError,
  type WechatModuleOptions,
} from '@app/wechat';
import { parseWechatAccounts } from './wechat-accounts.env';
import { DemoEnvError } from './demo-env.error';
import { booleanFromEnv, envText, numberFromEnv } from './env-value.parser';
import { demoWechatRedis, readDemoRedis } from '../redis/demo-redis';
import { WECHAT_ENV_TABLE } from './wechat-env.table';

/** The environment the demo reads: `process.env` (with the `.env` file loaded into it) or a test's. */
export type DemoEnv = Readonly<Record<string, string | undefined>>;

type ScalarValue = string | number | boolean;
/** The options of the table (every scalar option: the table does not compile otherwise). */
type TableOption = keyof typeof WECHAT_ENV_TABLE;
type Row = (typeof WECHAT_ENV_TABLE)[TableOption];

const OPTION_KEYS = Object.keys(WECHAT_ENV_TABLE) as TableOption[];
const CONFIG_ERROR_PREFIX = /^Invalid WechatModule configuration: /;

/**
 * The module options the demo runs with, read from `env` through {@link WECHAT_ENV_TABLE}, plus the
 * `redis` option of the client `REDIS_CLUSTER_NODES`, `REDIS_SENTINELS` or `REDIS_URL` gives. Validated with the module's own
 * validation (`resolveWechatOptions`, as the callback endpoint is mounted), so a bad value stops
 * start-up here, with a message that names the variable instead of the option.
 *
 * @throws DemoEnvError naming the variable and what it accepts (never a secret's value).
 */
export function wechatOptionsFromEnv(env: DemoEnv): WechatModuleOptions {
  const scalars: Partial<Record<TableOption, ScalarValue>> = {};
  for (const option of OPTION_KEYS) {
    const row: Row = WECHAT_ENV_TABLE[option];
    const text = envText(env, row.variable);
    if (text !== undefined) scalars[option] = valueFromEnv(row, text);
  }
  // Each value has its option's type (the table's types follow the options'); appId and appSecret
  // may be missing, which the validation below reports.
  const redis = demoWechatRedis(readDemoRedis(env));
  // WECHAT_ACCOUNTS: more accounts at /wechat/<name>; the WECHAT_APP_ID family, if set, is the
  // default account at /wechat.
  const accounts = parseWechatAccounts(envText(env, 'WECHAT_ACCOUNTS'));
  const options = {
    ...scalars,
    ...(redis ? { redis } : {}),
    ...(accounts ? { accounts } : {}),
  } as WechatModuleOptions;
  try {
    if (accounts) resolveWechatAccounts(options, true);
    else resolveWechatOptions(options, true);
  } catch (error: unknown) {
    if (error instanceof WechatConfigError) throw inTermsOfVariables(error, env);
    throw error;
  }
  return options;
}

function valueFromEnv(row: Row, text: string): ScalarValue {
  switch (row.type) {
    case 'number':
      return numberFromEnv(text);
    case 'boolean':
      return booleanFromEnv(row.variable, text);
    case 'enum':
      return text.trim();
    default:
      return text;
  }
}

/**
 * The module's message with each option replaced by its variable (`"maxBodyBytes"` →
 * `WECHAT_MAX_BODY_BYTES`) and, for a variable that is not a secret, the value it was given.
 */
function inTermsOfVariables(error: WechatConfigError, env: DemoEnv): DemoEnvError {
  const detail = error.message.replace(CONFIG_ERROR_PREFIX, '');
  if (/^(accounts?\b|two accounts|"accounts")/.test(detail)) {
    return new DemoEnvError('WECHAT_ACCOUNTS', `WECHAT_ACCOUNTS: ${detail}`, { cause: error });
  }
  const lead = /^"([A-Za-z]+)"/.exec(detail)?.[1];
  const leadRow = lead !== undefined && isOptionKey(lead) ? WECHAT_ENV_TABLE[lead] : undefined;
  if (leadRow === undefined) return new DemoEnvError(undefined, detail, { cause: error });
  // The lead option's enum values are quoted too ("token" or "stable_token"): they stay.
  const values: readonly string[] = 'values' in leadRow ? Object.keys(leadRow.values) : [];
  let message = detail.replace(/"([A-Za-z]+)"/g, (quoted, name: string, offset: number) =>
    offset === 0 || (isOptionKey(name) && !values.includes(name))
      ? WECHAT_ENV_TABLE[name as TableOption].variable
      : quoted,
  );
  const text = env[leadRow.variable];
  if (
    leadRow.type !== 'secret' &&
    text !== undefined &&
    /\bmust\b/.test(message) &&
    !message.includes('(got ')
  ) {
    message = `${message.replace(/\.$/, '')} (got ${JSON.stringify(text)}).`;
  }
  return new DemoEnvError(leadRow.variable, message, { cause: error });
}

function isOptionKey(name: string): name is TableOption {
  return Object.prototype.hasOwnProperty.call(WECHAT_ENV_TABLE, name);
}
