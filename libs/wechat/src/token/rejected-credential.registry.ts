/**
 * The values of one credential that upstream rejected (WeChat's 40001 for an access_token), as
 * known to this process: the last one reported. A rejected value is never taken from the shared
 * store again.
 */
export class RejectedCredentialRegistry {
  private last: string | undefined;

  /** The last value reported as rejected (to keep it out of log lines). */
  get latest(): string | undefined {
    return this.last;
  }

  /**
   * Records `value` as rejected.
   * @returns whether it was already the last rejected value (nothing more to do).
   */
  record(value: string): boolean {
    if (this.last === value) return true;
    this.last = value;
    return false;
  }

  /** Whether this process knows `value` to be rejected (synchronous, no I/O). */
  isKnownHere(value: string): boolean {
    return value === this.last;
  }

  /** Whether `value` is known to be rejected. */
  isRejected(value: string): Promise<boolean> {
    return Promise.resolve(this.isKnownHere(value));
  }
}
