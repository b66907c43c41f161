import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WechatAccountNotFoundError } from '../errors/wechat-account-not-found.error';
import { WechatConfigError } from '../errors/wechat-config.error';
import type { WechatAccountOptions } from '../interfaces/wechat-account-options.interface';
import type { AccessTokenStore } from '../token/access-token-store.interface';
import { WechatAccount } from './wechat-account';
import {
  assertUnique,
  isAccountName,
  resolveWechatAccount,
  type ResolvedWechatAccountsConfig,
} from './wechat-accounts.resolver';

/**
 * At most this many names the loader did not know are remembered; beyond, the oldest go first, so
 * pushes to random names cannot grow the process's memory.
 */
const MAX_REMEMBERED_MISSES = 10_000;

/** How an account got here: configured at boot, registered at run time, or loaded on a miss. */
type AccountOrigin = 'boot' | 'registered' | 'loaded';

interface Entry {
  readonly account: WechatAccount;
  readonly origin: AccountOrigin;
  /** For a loaded account: when it is loaded again (ms since the epoch). */
  readonly expiresAt: number;
}

/**
 * Every Official Account of the app, by name and by AppID (two maps: a lookup is O(1) however many
 * accounts there are). Injectable as `WechatAccounts` (or by the `WECHAT_ACCOUNTS` symbol).
 *
 * - {@link get}/{@link find}: an account known to this process.
 * - {@link resolve}: the same, and on a miss the `resolveAccount` loader (cached
 *   `accountCacheTtlMs`, misses `accountMissTtlMs`; a loader that throws counts as a miss, logged).
 * - {@link register}/{@link unregister}: accounts added and removed at run time, validated like the
 *   boot options (same {@link WechatConfigError}s). A registration lives in this process only: the
 *   other instances of a fleet learn of the account through the loader, or by registering it too.
 */
@Injectable()
export class WechatAccounts implements OnModuleDestroy {
  private readonly logger = new Logger('WechatModule');
  private readonly byName = new Map<string, Entry>();
  private readonly byAppId = new Map<string, Entry>();
  private readonly misses = new Map<string, number>();
  private readonly loading = new Map<string, Promise<WechatAccount | undefined>>();
  /** The name of the default account, if any. */
  readonly defaultName: string | undefined;

  /**
   * @param config the resolved accounts configuration.
   * @param store the shared access_token store every account's token lives in.
   */
  constructor(
    private readonly config: ResolvedWechatAccountsConfig,
    private readonly store: AccessTokenStore,
  ) {
    for (const options of config.accounts) {
      this.add(new WechatAccount(options, store), 'boot', Infinity);
    }
    this.defaultName = config.defaultAccount;
  }

  /** How many accounts are registered in this process. */
  get size(): number {
    return this.byName.size;
  }

  /** The default account, or `undefined` when several accounts are configured and none is. */
  get defaultAccount(): WechatAccount | undefined {
    return this.defaultName === undefined ? undefined : this.byName.get(this.defaultName)?.account;
  }

  /** Whether the module has a loader hook. */
  get hasLoader(): boolean {
    return this.config.resolveAccount !== undefined;
  }

  /** The names of the accounts registered in this process, in registration order. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /**
   * The account registered under this name or AppID.
   *
   * @throws WechatAccountNotFoundError when there is none (the loader is not asked; see
   *   {@link resolve}).
   */
  get(nameOrAppId: string): WechatAccount {
    const account = this.find(nameOrAppId);
    if (!account) throw new WechatAccountNotFoundError(nameOrAppId);
    return account;
  }

  /** The account registered under this name or AppID, or `undefined`. */
  find(nameOrAppId: string): WechatAccount | undefined {
    return (this.byName.get(nameOrAppId) ?? this.byAppId.get(nameOrAppId))?.account;
  }

  /**
   * The account of this name: registered here, else from the `resolveAccount` loader (one load
   * per name at a time). Resolves `undefined` for an unknown account. Synchronous for a known one
   * (the callback's hot path).
   */
  resolve(name: string): WechatAccount | undefined | Promise<WechatAccount | undefined> {
    const entry = this.byName.get(name);
    if (entry && (entry.origin !== 'loaded' || entry.expiresAt > Date.now())) {
      return entry.account;
    }
    const loader = this.config.resolveAccount;
    if (!loader) return entry?.account;
    // A name no account can have is not worth asking about (nor logging).
    if (!isAccountName(name)) return undefined;
    const missedUntil = this.misses.get(name);
    if (missedUntil !== undefined) {
      if (missedUntil > Date.now()) return undefined;
      this.misses.delete(name);
    }
    const pending = this.loading.get(name);
    if (pending) return pending;
    const load = this.load(name, entry).finally(() => this.loading.delete(name));
    this.loading.set(name, load);
    return load;
  }

  /**
   * Adds an account at run time, validated like the boot options.
   *
   * @throws WechatConfigError for invalid options, or a name or AppID already registered.
   */
  register(options: WechatAccountOptions): WechatAccount {
    const resolved = resolveWechatAccount(
      options,
      this.config.shared,
      this.config.accountDefaults,
      this.config.requireToken,
    );
    this.assertFree(resolved.name, resolved.appId);
    const account = new WechatAccount(resolved, this.store);
    this.add(account, 'registered', Infinity);
    this.misses.delete(resolved.name);
    return account;
  }

  /**
   * Removes an account (its pending API calls are aborted). The default account cannot be removed.
   * Resolves `true` if it was registered.
   *
   * @throws WechatConfigError for the default account.
   */
  unregister(name: string): boolean {
    if (name === this.defaultName) {
      throw new WechatConfigError(
        `account "${name}" is the default account and cannot be unregistered.`,
      );
    }
    const entry = this.byName.get(name);
    if (!entry) return false;
    this.remove(entry);
    return true;
  }

  /** Closes every account's request pipeline. */
  onModuleDestroy(): void {
    for (const entry of this.byName.values()) entry.account.close();
  }

  private async load(name: string, stale: Entry | undefined): Promise<WechatAccount | undefined> {
    const loader = this.config.resolveAccount;
    let options: WechatAccountOptions | undefined | null;
    try {
      options = loader ? await loader(name) : undefined;
    } catch (error: unknown) {
      this.logger.error(
        `The WeChat account loader failed for account "${name}" (${error instanceof Error ? error.name : typeof error}); answering it as unknown`,
      );
      return this.miss(name, stale);
    }
    if (options === undefined || options === null) return this.miss(name, stale);
    try {
      if (options.name !== name) {
        throw new WechatConfigError(
          `the account loader was asked for "${name}" and returned an account named ${JSON.stringify(String(options.name))}.`,
        );
      }
      const resolved = resolveWechatAccount(
        options,
        this.config.shared,
        this.config.accountDefaults,
        this.config.requireToken,
      );
      const expiresAt = Date.now() + this.config.accountCacheTtlMs;
      if (stale && sameAccount(stale.account, resolved)) {
        // Unchanged: keep the instance (and its in-process token) for another period.
        this.add(stale.account, 'loaded', expiresAt);
        return stale.account;
      }
      if (stale) this.remove(stale);
      this.assertFree(resolved.name, resolved.appId);
      const account = new WechatAccount(resolved, this.store);
      this.add(account, 'loaded', expiresAt);
      return account;
    } catch (error: unknown) {
      this.logger.error(
        `The WeChat account loader returned unusable options for account "${name}": ${error instanceof Error ? error.message : 'unknown error'}`,
      );
      return this.miss(name, stale);
    }
  }

  private miss(name: string, stale: Entry | undefined): undefined {
    if (stale) this.remove(stale);
    const now = Date.now();
    if (this.misses.size >= MAX_REMEMBERED_MISSES) {
      for (const [missed, until] of this.misses) if (until <= now) this.misses.delete(missed);
      // Still full: forget the oldest (a Map iterates in insertion order).
      const oldest = this.misses.keys().next();
      if (this.misses.size >= MAX_REMEMBERED_MISSES && !oldest.done) {
        this.misses.delete(oldest.value);
      }
    }
    this.misses.set(name, now + this.config.accountMissTtlMs);
    return undefined;
  }

  private assertFree(name: string, appId: string): void {
    assertUnique({ name, appId }, this.byName, {
      get: (id: string) => this.byAppId.get(id)?.account.name,
    });
  }

  private add(account: WechatAccount, origin: AccountOrigin, expiresAt: number): void {
    const entry: Entry = { account, origin, expiresAt };
    this.byName.set(account.name, entry);
    this.byAppId.set(account.appId, entry);
  }

  private remove(entry: Entry): void {
    const { name, appId } = entry.account;
    if (this.byName.get(name) === entry) this.byName.delete(name);
    if (this.byAppId.get(appId) === entry) this.byAppId.delete(appId);
    entry.account.close();
  }
}

/** Whether a reloaded account has the same options as the one registered. */
function sameAccount(account: WechatAccount, options: WechatAccount['options']): boolean {
  const current = account.options as unknown as Record<string, unknown>;
  const next = options as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(current), ...Object.keys(next)]);
  for (const key of keys) if (current[key] !== next[key]) return false;
  return true;
}
