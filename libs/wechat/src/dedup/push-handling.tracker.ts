import { Injectable } from '@nestjs/common';
import { budgetClock } from '../redis/redis-budget.runner';

/** Handlings past their bound are dropped at most this often (in ms) while others are tracked. */
const SWEEP_INTERVAL_MS = 1_000;

/**
 * The push handlings in flight in this process, so a shutdown can wait for them. Each is tracked
 * until it settles or its bound passes (its claim expired: another instance may run the push by
 * now, and a handler that never settles must not be waited for, or kept, forever).
 */
@Injectable()
export class PushHandlingTracker {
  /** Each handling in flight, with the time (on {@link budgetClock}) it stops being tracked. */
  private readonly inflight = new Map<Promise<unknown>, number>();
  private nextSweepAt = 0;

  /** How many handlings are in flight (those past their bound are dropped first). */
  get size(): number {
    this.dropExpired();
    return this.inflight.size;
  }

  /**
   * Tracks `promise` until it settles, or for at most `boundMs`; returns it. No timer per
   * handling: those past their bound are dropped when the tracker is read, and at most once a
   * second when another is tracked (so a handler that never settles is not kept forever).
   */
  track<T>(promise: Promise<T>, boundMs: number): Promise<T> {
    const entry: Promise<void> = promise.then(
      () => void this.inflight.delete(entry),
      () => void this.inflight.delete(entry),
    );
    const now = budgetClock();
    this.inflight.set(entry, now + boundMs);
    if (now >= this.nextSweepAt) {
      this.nextSweepAt = now + SWEEP_INTERVAL_MS;
      this.dropExpired();
    }
    return promise;
  }

  /** Resolves when every tracked handling has settled or been dropped, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const until = budgetClock() + timeoutMs;
    while (this.size > 0 && budgetClock() < until) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inflight.keys()]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, Math.min(until - budgetClock(), 100));
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    }
  }

  private dropExpired(): void {
    const now = budgetClock();
    for (const [entry, expiresAt] of this.inflight) {
      if (expiresAt <= now) this.inflight.delete(entry);
    }
  }
}
