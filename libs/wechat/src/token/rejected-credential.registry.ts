import { createHash } from 'node:crypto';
import type { AccessTokenStore } from './access-token-store.interface';
import { StoreUnavailable, type SharedStoreHealth } from './shared-store.health';

/**
 * The values of one credential that upstream rejected (WeChat's 40001 for an access_token): the
 * last one this process was told about, and for the whole fleet one mark per rejected value in the
 * shared store (`<markPrefix><SHA-256 of the value>`, for `markTtlMs`), so that no process
 * publishes a value another one saw rejected, even when upstream keeps handing it out (a stable
 * token before `force_refresh`). The store never holds a rejected value's text in a mark.
 */
export class RejectedCredentialRegistry {
  private last: string | undefined;

  /**
   * @param store the shared store.
   * @param health outage tracking of that store.
   * @param markPrefix key prefix of the marks, e.g. `<keyPrefix>access_token_rejected:<appId>:`.
   * @param markTtlMs how long a mark is kept (the credential's longest lifetime).
   */
  constructor(
    private readonly store: AccessTokenStore,
    private readonly health: SharedStoreHealth,
    private readonly markPrefix: string,
    private readonly markTtlMs: number,
  ) {}

  /** The last value reported as rejected here (to keep it out of log lines). */
  get latest(): string | undefined {
    return this.last;
  }

  /**
   * Records `value` as rejected in this process.
   * @returns whether it was already the last rejected value (nothing more to do).
   */
  record(value: string): boolean {
    if (this.last === value) return true;
    this.last = value;
    return false;
  }

  /** Marks `value` as rejected for the whole fleet (a store failure only marks the store down). */
  share(value: string): Promise<void> {
    return this.health.attempt(() => this.store.set(this.markKey(value), '1', this.markTtlMs));
  }

  /** Whether this process knows `value` to be rejected (synchronous, no I/O). */
  isKnownHere(value: string): boolean {
    return value === this.last;
  }

  /**
   * Whether `value` is known to be rejected, here or by any process of the fleet. With the store
   * down, only this process's knowledge counts.
   */
  async isRejected(value: string): Promise<boolean> {
    if (this.isKnownHere(value)) return true;
    if (this.health.down) return false;
    try {
      return (await this.health.call(() => this.store.get(this.markKey(value)))) !== null;
    } catch (error: unknown) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.health.markDown(error.original);
      return false;
    }
  }

  private markKey(value: string): string {
    return this.markPrefix + createHash('sha256').update(value).digest('base64url');
  }
}
