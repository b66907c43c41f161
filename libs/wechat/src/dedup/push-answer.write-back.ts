import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { budgetClock } from '../redis/redis-budget.runner';
import { WECHAT_PUSH_DEDUP_STORE } from '../wechat.constants';
import type { CachedPushResponse, PushDedupStore } from './push-dedup-store.interface';
import { PushDedupStoreHealth } from './push-dedup-store.health';

/** How often answers waiting for the shared store are offered to it again, in ms. */
export const WRITE_BACK_INTERVAL_MS = 1_000;
/** How long one write-back attempt may take, in ms. */
const WRITE_BACK_BUDGET_MS = 2_000;

interface PendingAnswer {
  readonly owner: string;
  readonly response: CachedPushResponse;
  /** On {@link budgetClock}. */
  readonly expiresAt: number;
}

/**
 * Answers recorded in this process's memory while the shared store was unavailable, written to
 * the shared store once it answers again (for what is left of their TTL), so that a retry that
 * reaches another instance after the outage is not handled a second time. Each write is
 * owner-checked like any completion: it never overwrites another instance's handling.
 */
@Injectable()
export class PushAnswerWriteBack implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly pending = new Map<string, PendingAnswer>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    @Inject(WECHAT_PUSH_DEDUP_STORE) private readonly shared: PushDedupStore,
    private readonly health: PushDedupStoreHealth,
  ) {}

  /** How many answers wait for the shared store. */
  get size(): number {
    return this.pending.size;
  }

  /** Keeps an answer the shared store refused, to write it there when it is back. */
  remember(key: string, owner: string, response: CachedPushResponse, ttlMs: number): void {
    this.pending.set(key, { owner, response, expiresAt: budgetClock() + ttlMs });
    this.schedule();
  }

  /** Forgets `key` (a newer answer reached the shared store). */
  forget(key: string): void {
    this.pending.delete(key);
  }

  /**
   * Offers every waiting answer to the shared store once (at most once per
   * {@link WRITE_BACK_INTERVAL_MS} unless `now`); resolves when done (never rejects).
   */
  flush(now = false): Promise<void> {
    if (this.flushing) return this.flushing;
    const at = budgetClock();
    if (!now && at - this.lastFlushAt < WRITE_BACK_INTERVAL_MS) return Promise.resolve();
    this.lastFlushAt = at;
    this.flushing = this.writeAll().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.schedule();
    });
    return this.flushing;
  }

  /** A last attempt (bounded) before the process exits, so its answers outlive it. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.pending.size > 0) await this.flush(true);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush(true);
    }, WRITE_BACK_INTERVAL_MS);
    this.timer.unref();
  }

  private async writeAll(): Promise<void> {
    const deadline = budgetClock() + WRITE_BACK_BUDGET_MS;
    const live = [...this.pending].filter(([key, answer]) => {
      if (answer.expiresAt > budgetClock()) return true;
      this.pending.delete(key);
      return false;
    });
    const results = await Promise.allSettled(
      live.map(([key, answer]) =>
        this.shared.complete(
          key,
          answer.owner,
          answer.response,
          Math.max(Math.floor(answer.expiresAt - budgetClock()), 1),
          deadline,
        ),
      ),
    );
    results.forEach((result, i) => {
      const [key, answer] = live[i];
      if (result.status === 'rejected') {
        this.health.failed(result.reason);
        return;
      }
      this.health.succeeded();
      if (this.pending.get(key) === answer) this.pending.delete(key);
    });
  }
}
