import { Injectable } from '@nestjs/common';
import { budgetClock } from '../redis/redis-budget.runner';

/**
 * The push handlings in flight in this process, so a shutdown can wait for them. Each is tracked
 * until it settles or its bound passes (its claim expired: another instance may run the push by
 * now, and a handler that never settles must not be waited for, or kept, forever).
 */
@Injectable()
export class PushHandlingTracker {
  private readonly inflight = new Set<Promise<unknown>>();

  /** How many handlings are in flight. */
  get size(): number {
    return this.inflight.size;
  }

  /** Tracks `promise` until it settles, or for at most `boundMs`; returns it. */
  track<T>(promise: Promise<T>, boundMs: number): Promise<T> {
    const entry = promise.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(entry);
    const timer = setTimeout(() => this.inflight.delete(entry), boundMs);
    timer.unref();
    void entry.then(() => {
      clearTimeout(timer);
      this.inflight.delete(entry);
    });
    return promise;
  }

  /** Resolves when every tracked handling has settled or been dropped, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const until = budgetClock() + timeoutMs;
    while (this.inflight.size > 0 && budgetClock() < until) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inflight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, Math.min(until - budgetClock(), 100));
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    }
  }
}
