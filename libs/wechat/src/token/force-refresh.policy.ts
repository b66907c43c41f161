import type { AccessTokenStore } from './access-token-store.interface';
import { lifetimeClock } from './credential-lifetime';
import { StoreUnavailable, type SharedStoreHealth } from './shared-store.health';

/**
 * When this process last claimed a forced refresh, per store key: what decides while the store is
 * down (shared by every instance in the process), and a claim made then is respected afterwards.
 */
const claimedHereAt = new Map<string, number>();

/**
 * An upstream limit on forced refreshes for the whole fleet (WeChat: stable_token
 * `force_refresh: true` at most once per 30 s per AppID). {@link tryClaim} says whether a forced
 * refresh may be sent now and, if so, records it in the shared store (`SET NX PX intervalMs` on
 * `key`), so every other process sees the claim. With the store down, this process's own record
 * decides.
 */
export class ForceRefreshPolicy {
  /**
   * @param store the shared store.
   * @param health outage tracking of that store.
   * @param key the store key of the limit (one account's credential).
   * @param intervalMs the shortest interval between two forced refreshes.
   */
  constructor(
    private readonly store: AccessTokenStore,
    private readonly health: SharedStoreHealth,
    private readonly key: string,
    private readonly intervalMs: number,
  ) {}

  /** True at most once per `intervalMs` for the whole fleet: the caller may force a refresh now. */
  async tryClaim(): Promise<boolean> {
    const last = claimedHereAt.get(this.key) ?? Number.NEGATIVE_INFINITY;
    if (lifetimeClock() - last < this.intervalMs) return false;
    let claimed: boolean;
    try {
      claimed = await this.health.call(() =>
        this.store.set(this.key, String(Date.now()), this.intervalMs, 'if-absent'),
      );
    } catch (error: unknown) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.health.markDown(error.original);
      claimed = true;
    }
    if (claimed) claimedHereAt.set(this.key, lifetimeClock());
    return claimed;
  }
}
