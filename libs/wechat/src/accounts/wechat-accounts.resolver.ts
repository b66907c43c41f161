import { WechatConfigError } from '../errors/wechat-config.error';
import type {
  WechatAccountLoader,
  WechatAccountOptions,
} from '../interfaces/wechat-account-options.interface';
import type {
  ResolvedWechatAccount,
  ResolvedWechatOptions,
} from '../interfaces/resolved-wechat-options.interface';
import type { WechatModuleOptions } from '../interfaces/wechat-module-options.interface';
import {
  DEFAULT_ACCOUNT_CACHE_TTL_MS,
  DEFAULT_ACCOUNT_MISS_TTL_MS,
  DEFAULT_ACCOUNT_NAME,
} from '../wechat.constants';
import {
  resolveAccountDefaults,
  resolveAccountFields,
  resolveSharedWechatOptions,
  resolveWechatOptions,
  type WechatAccountDefaults,
  type WechatSharedOptions,
} from '../wechat-options.resolver';

/** An account name: URL-safe, since it is a path segment of the callback. */
const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `name` may be an account's name (1-64 letters, digits, `_` or `-`). */
export function isAccountName(name: string): boolean {
  return ACCOUNT_NAME_PATTERN.test(name);
}

/** The module options resolved into accounts: what {@link WechatAccounts} is built from. */
export interface ResolvedWechatAccountsConfig {
  /** The options every account shares. */
  readonly shared: WechatSharedOptions;
  /** What an account inherits when it does not set `tokenMode`, `requireEncryption`, `replayWindowSeconds`. */
  readonly accountDefaults: WechatAccountDefaults;
  /** The accounts known at boot, in configuration order. */
  readonly accounts: readonly ResolvedWechatAccount[];
  /** The name of the default account, if there is one. */
  readonly defaultAccount?: string;
  /** Whether the callback endpoint is mounted (then every account needs a `token`). */
  readonly requireToken: boolean;
  readonly resolveAccount?: WechatAccountLoader;
  readonly accountCacheTtlMs: number;
  readonly accountMissTtlMs: number;
}

/**
 * Resolves the module options into accounts, once at start-up:
 * - without `accounts`: today's single-account options, one account named `default`;
 * - with `accounts`: each one, plus the top-level credentials (if set) as the account `default`.
 *
 * Duplicate names or AppIDs, a name that is not URL-safe and an unknown `defaultAccount` are
 * {@link WechatConfigError}s naming the problem.
 *
 * @throws WechatConfigError
 */
export function resolveWechatAccounts(
  raw: WechatModuleOptions | undefined,
  requireToken: boolean,
): ResolvedWechatAccountsConfig {
  const common = {
    requireToken,
    resolveAccount: raw ? loaderOf(raw.resolveAccount) : undefined,
    accountCacheTtlMs: raw
      ? ttlOf(raw.accountCacheTtlMs, 'accountCacheTtlMs', DEFAULT_ACCOUNT_CACHE_TTL_MS)
      : DEFAULT_ACCOUNT_CACHE_TTL_MS,
    accountMissTtlMs: raw
      ? ttlOf(raw.accountMissTtlMs, 'accountMissTtlMs', DEFAULT_ACCOUNT_MISS_TTL_MS)
      : DEFAULT_ACCOUNT_MISS_TTL_MS,
  };
  if (!raw || typeof raw !== 'object' || raw.accounts === undefined) {
    // The single-account form, validated (and worded) exactly as before.
    const single = resolveWechatOptions(raw, requireToken);
    const account: ResolvedWechatAccount = { ...single, name: DEFAULT_ACCOUNT_NAME };
    const { tokenMode, requireEncryption, replayWindowSeconds } = single;
    return {
      ...common,
      shared: resolveSharedWechatOptions(raw ?? {}),
      accountDefaults: { tokenMode, requireEncryption, replayWindowSeconds },
      accounts: [account],
      defaultAccount:
        raw?.defaultAccount === undefined
          ? DEFAULT_ACCOUNT_NAME
          : knownDefault(raw.defaultAccount, [account]),
    };
  }
  if (!Array.isArray(raw.accounts)) {
    throw new WechatConfigError('"accounts" must be an array of { name, appId, appSecret, … }.');
  }
  const shared = resolveSharedWechatOptions(raw);
  const accountDefaults = resolveAccountDefaults(raw);
  const inputs: WechatAccountOptions[] = [...raw.accounts];
  if (raw.appId !== undefined || raw.appSecret !== undefined) {
    inputs.unshift({
      name: DEFAULT_ACCOUNT_NAME,
      appId: raw.appId ?? '',
      appSecret: raw.appSecret ?? '',
      token: raw.token,
      encodingAESKey: raw.encodingAESKey,
      previousEncodingAESKey: raw.previousEncodingAESKey,
    });
  }
  const accounts: ResolvedWechatAccount[] = [];
  const names = new Set<string>();
  const appIds = new Map<string, string>();
  for (const [index, input] of inputs.entries()) {
    const account = resolveWechatAccount(input, shared, accountDefaults, requireToken, index);
    assertUnique(account, names, appIds);
    names.add(account.name);
    appIds.set(account.appId, account.name);
    accounts.push(account);
  }
  if (accounts.length === 0 && !common.resolveAccount) {
    throw new WechatConfigError(
      '"accounts" is empty: configure at least one account, or a "resolveAccount" loader.',
    );
  }
  return {
    ...common,
    shared,
    accountDefaults,
    accounts,
    defaultAccount:
      raw.defaultAccount === undefined
        ? implicitDefault(accounts)
        : knownDefault(raw.defaultAccount, accounts),
  };
}

/**
 * Validates one account (from the options, {@link WechatAccounts.register} or the loader) and
 * merges it with the shared options.
 *
 * @param index its position in `accounts`, for the message when its name itself is wrong.
 * @throws WechatConfigError
 */
export function resolveWechatAccount(
  input: WechatAccountOptions,
  shared: WechatSharedOptions,
  defaults: WechatAccountDefaults,
  requireToken: boolean,
  index?: number,
): ResolvedWechatAccount {
  if (!input || typeof input !== 'object') {
    throw new WechatConfigError(
      `${index === undefined ? 'an account' : `accounts[${index}]`} must be an object { name, appId, appSecret, … }.`,
    );
  }
  const name = validateAccountName(input.name, index);
  const fields = resolveAccountFields(input, requireToken, defaults, `account "${name}": `);
  const merged: ResolvedWechatOptions = { ...shared, ...fields };
  return { ...merged, name };
}

/** Throws when `account`'s name or AppID is already taken. */
export function assertUnique(
  account: { readonly name: string; readonly appId: string },
  names: { has(name: string): boolean },
  appIds: { get(appId: string): string | undefined },
): void {
  if (names.has(account.name)) {
    throw new WechatConfigError(
      `two accounts are named "${account.name}": account names must be unique.`,
    );
  }
  const other = appIds.get(account.appId);
  if (other !== undefined) {
    throw new WechatConfigError(
      `accounts "${other}" and "${account.name}" have the same AppID: each Official Account may be configured once.`,
    );
  }
}

function validateAccountName(value: unknown, index: number | undefined): string {
  const where = index === undefined ? 'an account' : `accounts[${index}]`;
  if (typeof value !== 'string' || value === '') {
    throw new WechatConfigError(
      `${where} has no "name": give every account a URL-safe name (1-64 letters, digits, _ or -).`,
    );
  }
  if (!ACCOUNT_NAME_PATTERN.test(value)) {
    throw new WechatConfigError(
      `account name ${JSON.stringify(value.slice(0, 80))} is not URL-safe: use 1-64 letters, digits, _ or - (it is a path segment of the callback).`,
    );
  }
  return value;
}

function implicitDefault(accounts: readonly ResolvedWechatAccount[]): string | undefined {
  if (accounts.some((account) => account.name === DEFAULT_ACCOUNT_NAME)) {
    return DEFAULT_ACCOUNT_NAME;
  }
  return accounts.length === 1 ? accounts[0].name : undefined;
}

function knownDefault(value: unknown, accounts: readonly ResolvedWechatAccount[]): string {
  if (typeof value === 'string' && accounts.some((account) => account.name === value)) {
    return value;
  }
  throw new WechatConfigError(
    `"defaultAccount" is ${JSON.stringify(value)}, which is not a configured account (${accounts.map((a) => `"${a.name}"`).join(', ') || 'none'}).`,
  );
}

function loaderOf(value: unknown): WechatAccountLoader | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    throw new WechatConfigError(
      '"resolveAccount" must be a function (name) => account options | undefined.',
    );
  }
  return value as WechatAccountLoader;
}

function ttlOf(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new WechatConfigError(`"${name}" must be a non-negative integer (ms).`);
  }
  return value;
}
