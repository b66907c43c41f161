import type {
  AccessTokenLockAttempt,
  AccessTokenLockedWriteResult,
  AccessTokenSetMode,
  AccessTokenStore,
  StoredAccessToken,
} from './access-token-store.interface';
import { lifetimeClock } from './credential-lifetime';

interface Entry {
  readonly value: string;
  expiresAt: number;
}

/**
 * In-process {@link AccessTokenStore}: the same semantics as the Redis store (TTL, owner-only lock
 * operations, compare-and-delete), for a single instance. Expiry is checked on every access, so no
 * timer is ever left behind. Running several instances with it means one token per instance, each
 * invalidating the others in `token` mode: configure Redis for a fleet.
 */
export class MemoryAccessTokenStore implements AccessTokenStore {
  private readonly entries = new Map<string, Entry>();

  /**
   * @param now the clock (ms) TTLs are measured on; monotonic by default (`performance.now()`), so a
   *   step of the wall clock does not extend a stored token.
   */
  constructor(private readonly now: () => number = lifetimeClock) {}

  /** {@inheritDoc AccessTokenStore.get} */
  get(key: string): Promise<StoredAccessToken | null> {
    const entry = this.live(key);
    return Promise.resolve(
      entry ? { value: entry.value, ttlMs: entry.expiresAt - this.now() } : null,
    );
  }

  /** {@inheritDoc AccessTokenStore.set} */
  set(
    key: string,
    value: string,
    ttlMs: number,
    mode: AccessTokenSetMode = 'always',
  ): Promise<boolean> {
    if (mode === 'if-absent' && this.live(key)) return Promise.resolve(false);
    this.write(key, value, ttlMs);
    return Promise.resolve(true);
  }

  /** {@inheritDoc AccessTokenStore.delete} */
  delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined;
    this.entries.delete(key);
    return Promise.resolve(existed);
  }

  /** {@inheritDoc AccessTokenStore.compareAndDelete} */
  compareAndDelete(key: string, expected: string): Promise<boolean> {
    return Promise.resolve(this.deleteIf(key, expected));
  }

  /** {@inheritDoc AccessTokenStore.tryLock} */
  tryLock(lockKey: string, owner: string, ttlMs: number): Promise<AccessTokenLockAttempt> {
    const held = this.live(lockKey);
    if (held) {
      return Promise.resolve({ acquired: false, remainingMs: held.expiresAt - this.now() });
    }
    this.write(lockKey, owner, ttlMs);
    return Promise.resolve({ acquired: true });
  }

  /** {@inheritDoc AccessTokenStore.extendLock} */
  extendLock(lockKey: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = this.live(lockKey);
    if (held?.value !== owner) return Promise.resolve(false);
    held.expiresAt = this.now() + ttlMs;
    return Promise.resolve(true);
  }

  /** {@inheritDoc AccessTokenStore.unlock} */
  unlock(lockKey: string, owner: string): Promise<boolean> {
    return Promise.resolve(this.deleteIf(lockKey, owner));
  }

  /** {@inheritDoc AccessTokenStore.setIfLockOwner} */
  setIfLockOwner(
    key: string,
    value: string,
    ttlMs: number,
    lockKey: string,
    owner: string,
  ): Promise<AccessTokenLockedWriteResult> {
    if (this.live(lockKey)?.value === owner) {
      this.write(key, value, ttlMs);
      return Promise.resolve('written');
    }
    if (this.live(key)) return Promise.resolve('kept-existing');
    this.write(key, value, ttlMs);
    return Promise.resolve('written-if-absent');
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, value: string, ttlMs: number): void {
    this.entries.set(key, { value, expiresAt: this.now() + Math.max(1, Math.ceil(ttlMs)) });
  }

  private deleteIf(key: string, expected: string): boolean {
    if (this.live(key)?.value !== expected) return false;
    this.entries.delete(key);
    return true;
  }
}
