import { randomUUID } from 'node:crypto';
import { WechatApiError } from '../errors/wechat-api.error';
import type { AccessTokenStore } from '../token/access-token-store.interface';
import type { WechatMenu } from './domains/menu.interfaces';
import type { WechatMenuApi } from './domains/menu.api';

/** What {@link WechatMenuSync.apply} did. */
export type WechatMenuSyncOutcome =
  /** WeChat already had this menu: nothing was sent. */
  | 'unchanged'
  /** WeChat had another menu (or none): this one was created. */
  | 'created'
  /** Another instance held the lock for longer than `lockWaitMs`: nothing was done. */
  | 'skipped';

/** Where the sync logs (a Nest Logger fits). */
export interface WechatMenuSyncLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** Settings of one account's menu sync. */
export interface WechatMenuSyncSettings {
  /** The lock key in the shared store (one per account). */
  lockKey: string;
  /** How long the lock is held at most, in ms. */
  lockTtlMs: number;
  /** How often a waiting instance retries the lock, in ms. */
  lockPollIntervalMs: number;
  /** How long an instance waits for the lock before it skips, in ms. */
  lockWaitMs: number;
}

/**
 * Menus as code for one account: compares the desired menu with what WeChat has and creates it
 * only when they differ, holding a lock in the shared store so that instances starting together
 * apply it once (the others wait, then find it unchanged). A plain class, built per account.
 */
export class WechatMenuSync {
  /**
   * @param menu the account's menu API.
   * @param store the shared store that holds the lock (Redis for a fleet).
   * @param settings the lock key and timings.
   * @param logger where the outcome is logged.
   */
  constructor(
    private readonly menu: WechatMenuApi,
    private readonly store: AccessTokenStore,
    private readonly settings: WechatMenuSyncSettings,
    private readonly logger: WechatMenuSyncLogger,
  ) {}

  /** Applies `desired` if WeChat's default menu differs from it; see {@link WechatMenuSyncOutcome}. */
  async apply(desired: WechatMenu): Promise<WechatMenuSyncOutcome> {
    const owner = randomUUID();
    const { lockKey, lockTtlMs, lockPollIntervalMs, lockWaitMs } = this.settings;
    const deadline = performance.now() + lockWaitMs;
    while (!(await this.store.tryLock(lockKey, owner, lockTtlMs)).acquired) {
      if (performance.now() >= deadline) {
        this.logger.warn(
          `WeChat menu not checked: another instance held ${lockKey} for more than ${lockWaitMs} ms.`,
        );
        return 'skipped';
      }
      await new Promise((resolve) => setTimeout(resolve, lockPollIntervalMs));
    }
    try {
      const current = await this.currentMenu();
      if (current !== undefined && sameMenu(current, desired)) {
        this.logger.log('WeChat menu is up to date: the "menu" option matches it, nothing sent.');
        return 'unchanged';
      }
      await this.menu.create(desired);
      this.logger.log(
        `WeChat menu ${current === undefined ? 'was absent' : 'differed from the "menu" option'}: created it (${desired.button.length} buttons).`,
      );
      return 'created';
    } finally {
      await this.store.unlock(lockKey, owner).catch(() => false);
    }
  }

  private async currentMenu(): Promise<WechatMenu | undefined> {
    try {
      return (await this.menu.get()).menu;
    } catch (error: unknown) {
      if (error instanceof WechatApiError && error.errcode === 46003) return undefined;
      throw error;
    }
  }
}

/** Whether two menus are the same for WeChat: key order and empty `sub_button` lists ignored. */
export function sameMenu(a: WechatMenu, b: WechatMenu): boolean {
  return JSON.stringify(canonical(a.button)) === JSON.stringify(canonical(b.button));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(
      ([key, v]) =>
        v !== undefined && !(key === 'sub_button' && Array.isArray(v) && v.length === 0),
    )
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([key, v]) => [key, canonical(v)] as const);
  return Object.fromEntries(entries);
}
