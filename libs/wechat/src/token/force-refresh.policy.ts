import { lifetimeClock } from './credential-lifetime';

/** When this process last claimed a forced refresh, per key (shared by every instance). */
const lastClaimAt = new Map<string, number>();

/**
 * WeChat's limit on forced refreshes (stable_token `force_refresh: true`: at most one per 30 s per
 * AppID): {@link tryClaim} says whether a forced refresh may be sent now, and if so records it.
 */
export class ForceRefreshPolicy {
  /**
   * @param key what the limit applies to (one AppID's credential).
   * @param intervalMs the shortest interval between two forced refreshes.
   */
  constructor(
    private readonly key: string,
    private readonly intervalMs: number,
  ) {}

  /** True at most once per `intervalMs`: the caller may force a refresh now. */
  tryClaim(): Promise<boolean> {
    const now = lifetimeClock();
    const last = lastClaimAt.get(this.key) ?? Number.NEGATIVE_INFINITY;
    if (now - last < this.intervalMs) return Promise.resolve(false);
    lastClaimAt.set(this.key, now);
    return Promise.resolve(true);
  }
}
