import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { WechatAccount } from '../accounts/wechat-account';
import { WechatAccounts } from '../accounts/wechat-accounts.registry';
import type { AccessTokenStore } from '../token/access-token-store.interface';
import { WECHAT_ACCESS_TOKEN_STORE } from '../wechat.constants';
import { menuLockKey } from './wechat-api.constants';
import { WechatMenuSync, type WechatMenuSyncOutcome } from './menu-as-code.sync';

/**
 * Applies the `menu` option at start-up (see {@link WechatMenuSync}) to every account configured
 * at boot (with several accounts the top-level `menu` is shared like the other top-level options),
 * each under its own lock. Start-up waits for it; a failure (WeChat unreachable, a refusal) is
 * logged as an error and the app starts anyway.
 */
@Injectable()
export class WechatMenuAsCode implements OnApplicationBootstrap {
  private readonly logger = new Logger('WechatMenu');
  /** The outcome of the last {@link apply} per account name; empty before or without a menu. */
  readonly outcomes = new Map<string, WechatMenuSyncOutcome | 'failed'>();

  /**
   * @param accounts the configured accounts.
   * @param store the shared store that holds the lock.
   */
  constructor(
    private readonly accounts: WechatAccounts,
    @Inject(WECHAT_ACCESS_TOKEN_STORE) private readonly store: AccessTokenStore,
  ) {}

  /** The outcome for the default account (or the only one); undefined without a menu. */
  get lastOutcome(): WechatMenuSyncOutcome | 'failed' | undefined {
    const name = this.accounts.defaultAccount?.name ?? this.accounts.names()[0];
    return name === undefined ? undefined : this.outcomes.get(name);
  }

  /** Runs the sync when a `menu` is configured. */
  async onApplicationBootstrap(): Promise<void> {
    await this.apply();
  }

  /**
   * Runs the sync for every configured account that has a `menu`.
   *
   * @returns the outcome for the default account (see {@link lastOutcome}).
   */
  async apply(): Promise<WechatMenuSyncOutcome | 'failed' | undefined> {
    for (const name of this.accounts.names()) await this.applyTo(this.accounts.get(name));
    return this.lastOutcome;
  }

  private async applyTo(account: WechatAccount): Promise<void> {
    const { options } = account;
    const { menu } = options;
    if (menu === undefined) return;
    const sync = new WechatMenuSync(
      account.client.menu,
      this.store,
      {
        lockKey: menuLockKey(options.keyPrefix, options.appId),
        lockTtlMs: options.lockTtlMs,
        lockPollIntervalMs: options.lockPollIntervalMs,
        lockWaitMs: Math.max(options.lockWaitMs, options.requestTimeoutMs * 2),
      },
      this.logger,
    );
    try {
      this.outcomes.set(account.name, await sync.apply(menu));
    } catch (error: unknown) {
      this.logger.error(
        `WeChat menu of account "${account.name}" not applied: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.outcomes.set(account.name, 'failed');
    }
  }
}
