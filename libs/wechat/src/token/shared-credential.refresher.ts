import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CredentialTelemetry } from '../telemetry/credential.telemetry';
import type { AccessTokenStore } from './access-token-store.interface';
import { lifetimeClock } from './credential-lifetime';
import type { HeldCredential } from './local-credential.cache';
import type { RejectedCredentialRegistry } from './rejected-credential.registry';
import type {
  CredentialFetcher,
  CredentialRefusalCodec,
  FetchedCredential,
  SharedCredential,
  SharedCredentialKeys,
} from './shared-credential.interface';
import { StoreUnavailable, type SharedStoreHealth } from './shared-store.health';

/** Settings of {@link SharedCredentialRefresher}. */
export interface SharedCredentialRefresherOptions {
  /** The store keys of this credential. */
  readonly keys: SharedCredentialKeys;
  /** TTL of the refresh lock, in ms; the holder extends it every third of it. */
  readonly lockTtlMs: number;
  /** How often a waiter looks at the store again (copy, refusal, lock), in ms. */
  readonly lockPollIntervalMs: number;
  /** How long an upstream refusal is shared through the store, in ms; 0: not shared. */
  readonly refusalTtlMs: number;
  /** The metrics of this credential (upstream fetches, lock waits, clears); none if absent. */
  readonly telemetry?: CredentialTelemetry;
}

/**
 * One refresh of one credential for the whole fleet, through the shared {@link AccessTokenStore}
 * (whose methods are generic: keys are given by the caller).
 *
 * - The shared copy is read first (with its remaining TTL). On a miss, a lock is taken
 *   (`SET NX PX lockTtlMs`, unique owner); the holder re-reads the copy, calls the
 *   {@link CredentialFetcher}, writes the value (TTL = its served lifetime) only if it still owns
 *   the lock (else only `SET NX`, so a newer value is never overwritten), and releases the lock
 *   (owner-only). While fetching, the holder extends its lock every `lockTtlMs / 3`; a crashed
 *   holder stops extending and blocks the others at most `lockTtlMs`.
 * - Waiters look at the store every `lockPollIntervalMs`: the shared copy, then a shared refusal,
 *   then the lock itself (`SET NX`), so they notice within one poll that the holder released it
 *   (after a failure: at once, owner-only) or that it expired, and one of them takes over.
 * - Upstream refuses (an error the {@link CredentialRefusalCodec} encodes, e.g. WeChat's 40164):
 *   before releasing the lock, the holder stores the refusal for `refusalTtlMs`. Waiters and later
 *   callers of every process get the same typed error from it at once, so the fleet asks upstream
 *   about once per `refusalTtlMs` while the cause lasts (a new holder re-checks it under the lock).
 * - A fetched value that the {@link RejectedCredentialRegistry} knows to be rejected (here or by
 *   any process) is returned to this caller only and never published.
 * - Store unreachable: the credential is fetched directly (the caller keeps it in-process), and
 *   {@link resync} publishes it once the store is back.
 */
export class SharedCredentialRefresher {
  /**
   * @param store the shared store.
   * @param health outage tracking of that store.
   * @param fetcher gets the credential from upstream.
   * @param rejected the values known to be rejected.
   * @param refusals which upstream errors are shared, and how.
   * @param options keys, lock and refusal settings.
   */
  constructor(
    private readonly store: AccessTokenStore,
    private readonly health: SharedStoreHealth,
    private readonly fetcher: CredentialFetcher,
    private readonly rejected: RejectedCredentialRegistry,
    private readonly refusals: CredentialRefusalCodec,
    private readonly options: SharedCredentialRefresherOptions,
  ) {}

  /**
   * The shared credential, or a new one fetched by one process of the fleet.
   * @throws whatever the fetcher throws (upstream refusals, network errors).
   */
  async refresh(): Promise<SharedCredential> {
    try {
      return await this.fromFleet();
    } catch (error: unknown) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.health.markDown(error.original);
      return this.fetch();
    }
  }

  /** Deletes the shared copy only if it still holds `value` (compare-and-delete). */
  discard(value: string): Promise<void> {
    this.options.telemetry?.cleared();
    return this.health.attempt(() => this.store.compareAndDelete(this.options.keys.value, value));
  }

  /** Deletes the shared copy, whatever it holds. */
  deleteShared(): Promise<void> {
    return this.health.attempt(() => this.store.delete(this.options.keys.value));
  }

  /**
   * After an outage: the shared credential if there is one, else publishes `held` (only if the key
   * is still empty). Never throws (a store still down is left for the next attempt).
   */
  async resync(held: HeldCredential | undefined): Promise<SharedCredential | undefined> {
    try {
      const shared = await this.readShared();
      if (shared !== undefined || held === undefined) return shared;
      const ttlMs = held.expiresAt - lifetimeClock();
      if (ttlMs > 0) {
        await this.health.call(() =>
          this.store.set(this.options.keys.value, held.value, ttlMs, 'if-absent'),
        );
      }
    } catch {
      // Still down: the next attempt comes from the next cache hit.
    }
    return undefined;
  }

  /**
   * Shared copy, else shared refusal, else lock and fetch, else wait a poll and look again.
   * Store failures → StoreUnavailable.
   */
  private async fromFleet(): Promise<SharedCredential> {
    const { keys, lockTtlMs, lockPollIntervalMs, telemetry } = this.options;
    let waitingSince: number | undefined;
    for (;;) {
      const shared = await this.readShared();
      if (shared !== undefined) telemetry?.lockWaited(waitingSince);
      if (shared !== undefined) return shared;
      await this.throwIfRefused();
      const owner = randomUUID();
      const attempt = await this.health.call(() => this.store.tryLock(keys.lock, owner, lockTtlMs));
      if (attempt.acquired) telemetry?.lockWaited(waitingSince);
      if (attempt.acquired) return this.asLockHolder(owner);
      waitingSince ??= performance.now();
      await sleep(Math.max(1, Math.min(lockPollIntervalMs, attempt.remainingMs)));
    }
  }

  private async asLockHolder(owner: string): Promise<SharedCredential> {
    const stopExtending = this.keepLock(owner);
    try {
      // Between our last look and the lock, the previous holder may have published or been refused.
      const cached = await this.readShared();
      if (cached !== undefined) return cached;
      await this.throwIfRefused();
      let fetched: SharedCredential;
      try {
        fetched = await this.fetch();
      } catch (error: unknown) {
        await this.shareRefusal(error);
        throw error;
      }
      // A value upstream already rejected goes to this caller only, never to the store.
      if (fetched.rejected) return fetched;
      return await this.publish(fetched, owner);
    } finally {
      stopExtending();
      await this.health.attempt(() => this.store.unlock(this.options.keys.lock, owner));
    }
  }

  /** Extends the lock every lockTtlMs / 3 while the holder works; returns the stop function. */
  private keepLock(owner: string): () => void {
    const { keys, lockTtlMs } = this.options;
    const timer = setInterval(
      () => {
        this.store.extendLock(keys.lock, owner, lockTtlMs).catch(() => undefined);
      },
      Math.max(1, Math.floor(lockTtlMs / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Writes a fetched value (as lock holder), or returns the newer one a later holder stored. */
  private async publish(fetched: FetchedCredential, owner: string): Promise<SharedCredential> {
    const { keys } = this.options;
    const ttlMs = fetched.expiresAt - lifetimeClock();
    try {
      const result = await this.health.call(() =>
        this.store.setIfLockOwner(keys.value, fetched.value, ttlMs, keys.lock, owner),
      );
      if (result === 'kept-existing') {
        // Our lock expired and the next holder stored a newer value: use that one.
        const newer = await this.readShared();
        if (newer !== undefined) return newer;
      }
    } catch (error: unknown) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.health.markDown(error.original);
    }
    return { ...fetched, rejected: false };
  }

  /** The shared copy if usable, else undefined. */
  private async readShared(): Promise<SharedCredential | undefined> {
    const readAt = lifetimeClock();
    const stored = await this.health.call(() => this.store.get(this.options.keys.value));
    if (stored === null || stored.ttlMs <= 0 || this.rejected.isKnownHere(stored.value)) {
      return undefined;
    }
    return { value: stored.value, expiresAt: readAt + stored.ttlMs, rejected: false };
  }

  /** Throws the refusal another process (or this one) stored, if it is still there. */
  private async throwIfRefused(): Promise<void> {
    if (this.options.refusalTtlMs <= 0) return;
    const stored = await this.health.call(() => this.store.get(this.options.keys.refusal));
    const refusal = stored === null ? undefined : this.refusals.decode(stored.value);
    if (refusal !== undefined) throw refusal;
  }

  /** Stores an upstream refusal for `refusalTtlMs` (before the lock is released). */
  private async shareRefusal(error: unknown): Promise<void> {
    const { keys, refusalTtlMs } = this.options;
    const text = refusalTtlMs > 0 ? this.refusals.encode(error) : undefined;
    if (text === undefined) return;
    await this.health.attempt(() => this.store.set(keys.refusal, text, refusalTtlMs));
  }

  /** One value from upstream, and whether it is one the fleet knows to be rejected. */
  private async fetch(): Promise<SharedCredential> {
    // One look at the store per value, shared by the fetcher's question and ours.
    const verdicts = new Map<string, Promise<boolean>>();
    const isRejected = (value: string): Promise<boolean> => {
      let verdict = verdicts.get(value);
      if (verdict === undefined) {
        verdict = this.rejected.isRejected(value);
        verdicts.set(value, verdict);
      }
      return verdict;
    };
    const { telemetry } = this.options;
    const fetched = telemetry
      ? await telemetry.fetch(() => this.fetcher.fetch(isRejected))
      : await this.fetcher.fetch(isRejected);
    return { ...fetched, rejected: await isRejected(fetched.value) };
  }
}
