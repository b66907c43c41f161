import { budgetClock } from '../redis/redis-budget.runner';
import type {
  CachedPushResponse,
  PushClaim,
  PushDedupState,
  PushDedupStore,
} from './push-dedup-store.interface';

interface Entry {
  readonly owner?: string;
  readonly response?: CachedPushResponse;
  readonly expiresAt: number;
}

/**
 * Expired entries are swept at most this often (in ms), on a write, so the map stays bounded
 * without a timer and a sweep's O(n) cost is paid once per interval, not per push.
 */
const SWEEP_INTERVAL_MS = 1_000;

/** {@link PushDedupStore} in this process's memory: for a single instance, and as the fallback. */
export class MemoryPushDedupStore implements PushDedupStore {
  private readonly entries = new Map<string, Entry>();
  private nextSweepAt = 0;

  claim(key: string, owner: string, pendingTtlMs: number): Promise<PushClaim> {
    const entry = this.live(key);
    if (entry?.owner === owner) return Promise.resolve({ state: 'claimed' });
    const current = this.read(key);
    if (current.state !== 'absent') return Promise.resolve(current);
    this.write(key, { owner, expiresAt: budgetClock() + pendingTtlMs });
    return Promise.resolve({ state: 'claimed' });
  }

  peek(key: string): Promise<PushDedupState> {
    return Promise.resolve(this.read(key));
  }

  /** {@link peek} without a promise: what this process's memory holds for `key` now. */
  peekNow(key: string): PushDedupState {
    return this.read(key);
  }

  complete(key: string, owner: string, response: CachedPushResponse, ttlMs: number): Promise<void> {
    const entry = this.live(key);
    if (!entry || entry.owner === owner) {
      this.write(key, { response, expiresAt: budgetClock() + ttlMs });
    }
    return Promise.resolve();
  }

  release(key: string, owner: string): Promise<void> {
    if (this.live(key)?.owner === owner) this.entries.delete(key);
    return Promise.resolve();
  }

  private read(key: string): PushDedupState {
    const entry = this.live(key);
    if (!entry) return { state: 'absent' };
    return entry.response ? { state: 'done', response: entry.response } : { state: 'pending' };
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= budgetClock()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    const now = budgetClock();
    if (now >= this.nextSweepAt) {
      this.nextSweepAt = now + SWEEP_INTERVAL_MS;
      for (const [name, value] of this.entries) {
        if (value.expiresAt <= now) this.entries.delete(name);
      }
    }
  }
}
