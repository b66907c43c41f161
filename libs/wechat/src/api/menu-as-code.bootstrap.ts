import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import type { AccessTokenStore } from '../token/access-token-store.interface';
import { WECHAT_ACCESS_TOKEN_STORE, WECHAT_OPTIONS } from '../wechat.constants';
import { menuLockKey } from './wechat-api.constants';
import { WechatClientService } from './wechat-client.service';
import { WechatMenuSync, type WechatMenuSyncOutcome } from './menu-as-code.sync';

/**
 * Applies the `menu` option at start-up (see {@link WechatMenuSync}). Start-up waits for it; a
 * failure (WeChat unreachable, a refusal) is logged as an error and the app starts anyway.
 */
@Injectable()
export class WechatMenuAsCode implements OnApplicationBootstrap {
  private readonly logger = new Logger('WechatMenu');
  /** The outcome of the last {@link apply} (the one at start-up first); undefined before or without a menu. */
  lastOutcome: WechatMenuSyncOutcome | 'failed' | undefined;

  /**
   * @param options the resolved options (`menu`, `keyPrefix`, lock timings).
   * @param client the account's client.
   * @param store the shared store that holds the lock.
   */
  constructor(
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    private readonly client: WechatClientService,
    @Inject(WECHAT_ACCESS_TOKEN_STORE) private readonly store: AccessTokenStore,
  ) {}

  /** Runs the sync when a `menu` is configured. */
  async onApplicationBootstrap(): Promise<void> {
    await this.apply();
  }

  /** The outcome of the sync, `undefined` without a `menu` option, `'failed'` after a logged error. */
  async apply(): Promise<WechatMenuSyncOutcome | 'failed' | undefined> {
    const { menu } = this.options;
    if (menu === undefined) return undefined;
    const sync = new WechatMenuSync(
      this.client.menu,
      this.store,
      {
        lockKey: menuLockKey(this.options.keyPrefix, this.options.appId),
        lockTtlMs: this.options.lockTtlMs,
        lockPollIntervalMs: this.options.lockPollIntervalMs,
        lockWaitMs: Math.max(this.options.lockWaitMs, this.options.requestTimeoutMs * 2),
      },
      this.logger,
    );
    try {
      this.lastOutcome = await sync.apply(menu);
    } catch (error: unknown) {
      this.logger.error(
        `WeChat menu not applied: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.lastOutcome = 'failed';
    }
    return this.lastOutcome;
  }
}
