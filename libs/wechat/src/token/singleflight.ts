/**
 * At most one run of a piece of work at a time inside this process: while one is in flight, every
 * caller gets the same promise; the next call after it settled starts a new run.
 */
export class Singleflight<T> {
  private inflight: Promise<T> | undefined;

  /** The promise of the run in flight, or of a new run of `work`. */
  run(work: () => Promise<T>): Promise<T> {
    return (this.inflight ??= work().finally(() => {
      this.inflight = undefined;
    }));
  }
}
