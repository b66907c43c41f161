import type { Logger } from '@nestjs/common';
import type { CredentialTelemetry } from '../telemetry/credential.telemetry';
import { redactSecrets } from '../api/redact-secrets.util';
import { ACCESS_TOKEN_STORE_RESYNC_INTERVAL_MS } from './access-token.constants';
import { lifetimeClock } from './credential-lifetime';

/** A store operation failed: the caller falls back to working without the shared store. */
export class StoreUnavailable extends Error {
  /** @param original what the store threw (kept for the one warning, never rethrown). */
  constructor(readonly original: unknown) {
    super('shared store unavailable');
  }
}

/**
 * Whether the shared store (Redis) is usable, as seen by this process: every store call goes
 * through {@link call}, which turns a failure into {@link StoreUnavailable}. The first failure logs
 * one warning, the first success after it one notice; while the store is down,
 * {@link beginResync} paces the attempts to reach it again (at most one a second, one at a time).
 */
export class SharedStoreHealth {
  private isDown = false;
  private resyncing = false;
  private lastResyncAt = Number.NEGATIVE_INFINITY;

  /**
   * @param logger where the warning and the notice go.
   * @param label what the store holds, in the messages: `the shared <label> store …`.
   * @param secrets values redacted from the store's error text in the warning.
   * @param telemetry where an outage is counted.
   */
  constructor(
    private readonly logger: Logger,
    private readonly label: string,
    private readonly secrets: () => readonly (string | undefined)[],
    private readonly telemetry?: CredentialTelemetry,
  ) {}

  /** Whether the last store operation failed. */
  get down(): boolean {
    return this.isDown;
  }

  /** Runs a store operation; a failure marks the store down and becomes {@link StoreUnavailable}. */
  async call<T>(operation: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await operation();
    } catch (error: unknown) {
      throw new StoreUnavailable(error);
    }
    this.markUp();
    return result;
  }

  /** Runs a store operation whose failure only marks the store down. */
  async attempt(operation: () => Promise<unknown>): Promise<void> {
    try {
      await this.call(operation);
    } catch (error: unknown) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.markDown(error.original);
    }
  }

  /** Records an outage (logged once until the store answers again). */
  markDown(error: unknown): void {
    if (this.isDown) return;
    this.isDown = true;
    this.telemetry?.storeDown();
    const raw = (error as { message?: unknown } | null)?.message;
    const message = typeof raw === 'string' ? raw : String(error);
    const detail = redactSecrets(message.replace(/\.$/, ''), this.secrets());
    this.logger.warn(
      `The shared ${this.label} store is unavailable (${detail}); this process keeps its own copy and refreshes without the fleet lock until it is back.`,
    );
  }

  /**
   * Whether to try to resynchronise with the store now (at most once per
   * {@link ACCESS_TOKEN_STORE_RESYNC_INTERVAL_MS}, one attempt at a time); if so, call
   * {@link endResync} when done.
   */
  beginResync(): boolean {
    const now = lifetimeClock();
    if (this.resyncing || now - this.lastResyncAt < ACCESS_TOKEN_STORE_RESYNC_INTERVAL_MS) {
      return false;
    }
    this.lastResyncAt = now;
    this.resyncing = true;
    return true;
  }

  /** Ends the attempt begun by {@link beginResync}. */
  endResync(): void {
    this.resyncing = false;
  }

  private markUp(): void {
    if (!this.isDown) return;
    this.isDown = false;
    this.logger.log(`The shared ${this.label} store is reachable again.`);
  }
}
