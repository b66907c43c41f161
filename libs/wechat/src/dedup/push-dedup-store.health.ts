import { Injectable, Logger } from '@nestjs/common';
import { WechatStoreCrossSlotError, WechatStoreKeyTypeError } from '../errors/wechat-store.error';
import { budgetClock } from '../redis/redis-budget.runner';
import { messageOf } from '../redis/redis-error.classifier';

/**
 * An outage ends once the store has answered this long without a failure (in ms): on a Cluster
 * with one master down, the others keep answering, and the log must not flap.
 */
export const STORE_RECOVERY_QUIET_MS = 1_000;

/**
 * What the push de-dup has seen of the shared store, logged once per change: an outage (a warning
 * when it starts, a notice when the store answers again) or a configuration error (`WRONGTYPE`,
 * `CROSSSLOT`: an error, once per kind, which is no outage: the store keeps being used).
 */
@Injectable()
export class PushDedupStoreHealth {
  private readonly logger = new Logger('WechatModule');
  private isDown = false;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private readonly reported = new Set<string>();

  /** Whether the last store operation failed for want of a store. */
  get down(): boolean {
    return this.isDown;
  }

  /**
   * A store operation succeeded; `true` when it ends an outage (no failure for
   * {@link STORE_RECOVERY_QUIET_MS}).
   */
  succeeded(): boolean {
    if (!this.isDown || budgetClock() - this.lastFailureAt < STORE_RECOVERY_QUIET_MS) return false;
    this.isDown = false;
    this.logger.log('The shared push de-duplication store is reachable again.');
    return true;
  }

  /** A store operation failed with `error`; the caller falls back to this process's memory. */
  failed(error: unknown): void {
    if (error instanceof WechatStoreKeyTypeError || error instanceof WechatStoreCrossSlotError) {
      if (this.reported.has(error.code)) return;
      this.reported.add(error.code);
      this.logger.error(
        `Configuration error in the shared push de-duplication store: ${error.message} The pushes concerned are de-duplicated in this process only.`,
      );
      return;
    }
    this.lastFailureAt = budgetClock();
    if (this.isDown) return;
    this.isDown = true;
    this.logger.warn(
      `The shared push de-duplication store is unavailable (${messageOf(error).replace(/\.$/, '')}); de-duplicating in this process until it is back.`,
    );
  }
}
