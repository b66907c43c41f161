import type { Logger } from '@nestjs/common';
import type { CredentialTelemetry } from '../telemetry/credential.telemetry';
import type { AccessTokenStore } from './access-token-store.interface';
import { LocalCredentialCache } from './local-credential.cache';
import { RejectedCredentialRegistry } from './rejected-credential.registry';
import type {
  CredentialFetcher,
  CredentialRefusalCodec,
  SharedCredential,
  SharedCredentialKeys,
} from './shared-credential.interface';
import { SharedCredentialRefresher } from './shared-credential.refresher';
import { SharedStoreHealth } from './shared-store.health';
import { Singleflight } from './singleflight';

/** Settings of one {@link FleetCredential}. */
export interface FleetCredentialOptions {
  /** What it is, in log lines: `access_token`, `jsapi_ticket`, … */
  readonly label: string;
  /** Its store keys (value, lock, refusal) and the prefix of its rejection marks. */
  readonly keys: SharedCredentialKeys & { readonly rejectedPrefix: string };
  /** How long a rejection mark is kept: the credential's longest lifetime, in ms. */
  readonly rejectedTtlMs: number;
  /** TTL of the refresh lock, in ms. */
  readonly lockTtlMs: number;
  /** How often a waiter looks at the store again, in ms. */
  readonly lockPollIntervalMs: number;
  /** How long an upstream refusal is shared through the store, in ms; 0: not shared. */
  readonly refusalTtlMs: number;
  /** Which upstream errors are shared refusals. */
  readonly refusals: CredentialRefusalCodec;
  /** Other secrets to keep out of the outage warning (the AppSecret). */
  readonly secrets?: () => readonly (string | undefined)[];
  /** Its metrics (fetches, lock waits, clears, outages) and last refresh failure; none if absent. */
  readonly telemetry?: CredentialTelemetry;
}

/** Whether this process holds a live copy and whether the store answered last time. */
export interface FleetCredentialStatus {
  readonly fresh: boolean;
  readonly storeReachable: boolean;
}

/**
 * One credential of one account that WeChat hands out with a lifetime and a quota (the
 * access_token, the JS-SDK jsapi_ticket, …), one for the whole fleet. Every such credential gets
 * the same guarantees by construction:
 *
 * - an in-process copy served without touching the store until it expires
 *   ({@link LocalCredentialCache}: the same settled promise each time);
 * - one refresh per process at a time ({@link Singleflight}) and one per fleet
 *   ({@link SharedCredentialRefresher}: shared copy, `SET NX PX` lock with a unique owner extended
 *   while fetching, waiters that notice a release within a poll, refusals shared for a few seconds);
 * - {@link clear} of a rejected value deletes the shared copy only while it still holds that value
 *   (compare-and-delete), and the value is marked rejected for the fleet so nobody publishes it again
 *   ({@link RejectedCredentialRegistry});
 * - store outages ({@link SharedStoreHealth}): one warning, direct fetches, resync once it is back.
 */
export class FleetCredential {
  private readonly local = new LocalCredentialCache();
  private readonly flight = new Singleflight<string>();
  private readonly health: SharedStoreHealth;
  private readonly rejected: RejectedCredentialRegistry;
  private readonly refresher: SharedCredentialRefresher;
  private readonly telemetry: CredentialTelemetry | undefined;

  /**
   * @param store the shared store (its methods take the keys given here).
   * @param logger where the outage warning goes.
   * @param fetcher gets the credential from WeChat; built with this credential's store health (a
   *   fetcher that keeps its own fleet-wide state, like the force_refresh limit, reports through it).
   * @param options keys, lock and refusal settings.
   */
  constructor(
    store: AccessTokenStore,
    logger: Logger,
    fetcher: (health: SharedStoreHealth) => CredentialFetcher,
    options: FleetCredentialOptions,
  ) {
    const secrets = options.secrets ?? (() => []);
    this.telemetry = options.telemetry;
    this.health = new SharedStoreHealth(
      logger,
      options.label,
      () => [...secrets(), this.local.value, this.rejected.latest],
      options.telemetry,
    );
    this.rejected = new RejectedCredentialRegistry(
      store,
      this.health,
      options.keys.rejectedPrefix,
      options.rejectedTtlMs,
    );
    this.refresher = new SharedCredentialRefresher(
      store,
      this.health,
      fetcher(this.health),
      this.rejected,
      options.refusals,
      {
        keys: options.keys,
        lockTtlMs: options.lockTtlMs,
        lockPollIntervalMs: options.lockPollIntervalMs,
        refusalTtlMs: options.refusalTtlMs,
        telemetry: options.telemetry,
      },
    );
  }

  /** For the health indicator: a live copy held here, and the store's last answer. */
  status(): FleetCredentialStatus {
    return { fresh: this.local.current() !== undefined, storeReachable: !this.health.down };
  }

  /** The credential: the in-process copy while it lives, else the fleet's, else a new one. */
  get(): Promise<string> {
    const cached = this.local.current();
    if (cached !== undefined) {
      if (this.health.down) this.resyncSoon();
      return cached;
    }
    return this.flight.run(() => this.load());
  }

  /**
   * Forgets the credential: with `value` (the one WeChat just rejected), only while the copies
   * still hold it, and marks it rejected for the fleet; without, both copies unconditionally.
   */
  async clear(value?: string): Promise<void> {
    if (value === undefined) {
      this.local.forget();
      await this.refresher.deleteShared();
      return;
    }
    const alreadyCleared = this.rejected.record(value);
    this.local.forget(value);
    // A concurrent caller of this process already deleted it (same connection, so the delete is
    // ordered before any later read of ours).
    if (alreadyCleared) return;
    // Marked first: a holder that fetches it from now on does not publish it.
    await this.rejected.share(value);
    await this.refresher.discard(value);
  }

  private async load(): Promise<string> {
    const refresh = (): Promise<SharedCredential> => this.refresher.refresh();
    return this.keep(await (this.telemetry ? this.telemetry.refresh(refresh) : refresh()));
  }

  /** Keeps a credential in-process (unless it is known to be rejected) and returns its value. */
  private keep(credential: SharedCredential): string {
    if (!credential.rejected) this.local.adopt(credential.value, credential.expiresAt);
    return credential.value;
  }

  /** On a cache hit while the store is down: at most once a second, try to resynchronise. */
  private resyncSoon(): void {
    if (!this.health.beginResync()) return;
    void this.refresher
      .resync(this.local.held())
      .then((shared) => {
        if (shared !== undefined) this.keep(shared);
      })
      .finally(() => this.health.endResync());
  }
}
