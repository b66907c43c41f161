/** The most calls one batch carries; a fuller queue goes out at once. */
export const DEFAULT_MAX_BATCH = 256;

/** How long a deferrable call waits for a batch to ride along with before it leaves on its own. */
export const DEFAULT_DEFER_MS = 10;

/**
 * A per-item failure in the results of a batch: that call rejects with `error`, the others of the
 * batch still get their results (one bad key, or one failing Cluster slot, fails only its own calls).
 */
export class BatchItemFailure {
  constructor(readonly error: unknown) {}
}

interface Waiter<TResult> {
  readonly resolve: (result: TResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers the calls made during one turn of the event loop and runs them together through `run`
 * (one Redis command over many keys), so N concurrent pushes pay for one command (its client-side
 * work, its round trip and its share of Redis's CPU) instead of N.
 *
 * A batch leaves in the event loop's check phase (`setImmediate`), once every request read in the
 * same poll phase has queued its call; a lone call waits no longer than that. `run` gets the items
 * in call order and must resolve to one result per item, in the same order; a result that is a
 * {@link BatchItemFailure} rejects its own call only. When `run` rejects (or answers the wrong
 * number of results) every call of the batch rejects with that error.
 *
 * A call queued as deferrable (`add(item, true)`: a write nobody waits for, such as recording a
 * push's answer behind the answer itself) does not start a batch: it rides along with the next
 * batch that leaves, or leaves on its own after `deferMs`. Under load, a push's claim and the
 * previous pushes' recorded answers then share one command instead of taking two.
 */
export class RedisBatchQueue<TItem, TResult> {
  private items: TItem[] = [];
  private waiters: Waiter<TResult>[] = [];
  private scheduled = false;
  private deferTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: (
      items: readonly TItem[],
    ) => Promise<readonly (TResult | BatchItemFailure)[]>,
    private readonly maxBatch = DEFAULT_MAX_BATCH,
    private readonly deferMs = DEFAULT_DEFER_MS,
  ) {}

  /**
   * Queues one call; resolves to its own result once its batch has run. A `deferrable` call
   * waits up to `deferMs` for another call's batch (see the class description).
   */
  add(item: TItem, deferrable = false): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.items.push(item);
      this.waiters.push({ resolve, reject });
      if (this.items.length >= this.maxBatch) {
        this.flush();
      } else if (!deferrable) {
        if (!this.scheduled) {
          this.scheduled = true;
          setImmediate(this.flushScheduled);
        }
      } else if (this.deferTimer === undefined && !this.scheduled) {
        this.deferTimer = setTimeout(this.flushDeferred, this.deferMs);
      }
    });
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };

  private readonly flushDeferred = (): void => {
    this.deferTimer = undefined;
    this.flush();
  };

  private flush(): void {
    if (this.deferTimer !== undefined) {
      clearTimeout(this.deferTimer);
      this.deferTimer = undefined;
    }
    if (this.items.length === 0) return;
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    let pending: Promise<readonly (TResult | BatchItemFailure)[]>;
    try {
      pending = this.run(items);
    } catch (error: unknown) {
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    pending.then(
      (results) => {
        if (results.length !== waiters.length) {
          const error = new RangeError(
            `A batched Redis command answered ${results.length} results for ${waiters.length} calls`,
          );
          for (const waiter of waiters) waiter.reject(error);
          return;
        }
        for (let i = 0; i < waiters.length; i += 1) {
          const result = results[i];
          if (result instanceof BatchItemFailure) waiters[i].reject(result.error);
          else waiters[i].resolve(result);
        }
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }
}
