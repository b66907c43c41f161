import type {
  AccessTokenLockAttempt,
  AccessTokenLockedWriteResult,
  AccessTokenSetMode,
  AccessTokenStore,
  StoredAccessToken,
} from './access-token-store.interface';

/**
 * `<prefix>{<appId>}:access_token` → `<prefix>access_token:<appId>` (and the same for
 * `access_token_lock`): the names versions before 0.2 used. Other keys have no old name.
 */
const CURRENT_KEY = /^(.*)\{([^{}]+)\}:(access_token|access_token_lock)$/;

/** The name a version before 0.2 gave `key`, or `undefined` when it had none. */
export function legacyAccessTokenKey(key: string): string | undefined {
  const match = CURRENT_KEY.exec(key);
  return match ? `${match[1]}${match[3]}:${match[2]}` : undefined;
}

/**
 * An {@link AccessTokenStore} that keeps a rolling deploy from costing an extra upstream token call:
 * while instances of a version before 0.2 (keys without a hash tag, `<prefix>access_token:<appId>`)
 * run next to this one,
 * - a token missing under the current key is read from the old key (one an old instance stored);
 * - a token this version stores is mirrored to the old key, so old instances reuse it;
 * - the refresh lock is taken under both names (the current one first; when an old instance holds
 *   the old one, the current one is released and the caller waits as for any holder), released and
 *   extended under both;
 * - a rejected token is compare-and-deleted under both names.
 *
 * Every old-name operation is a single-key command, so this works on a Redis Cluster too (where the
 * old names of one account are in different slots). Turned off with `legacyKeys: false` once no
 * instance of an old version is left.
 */
export class LegacyKeysAccessTokenStore implements AccessTokenStore {
  /** @param inner the store both names live in. */
  constructor(private readonly inner: AccessTokenStore) {}

  /** {@inheritDoc AccessTokenStore.get} */
  async get(key: string): Promise<StoredAccessToken | null> {
    const current = await this.inner.get(key);
    const legacy = legacyAccessTokenKey(key);
    if (current !== null || legacy === undefined) return current;
    return this.inner.get(legacy);
  }

  /** {@inheritDoc AccessTokenStore.set} */
  async set(
    key: string,
    value: string,
    ttlMs: number,
    mode: AccessTokenSetMode = 'always',
  ): Promise<boolean> {
    const written = await this.inner.set(key, value, ttlMs, mode);
    const legacy = legacyAccessTokenKey(key);
    if (written && legacy !== undefined) await this.inner.set(legacy, value, ttlMs, mode);
    return written;
  }

  /** {@inheritDoc AccessTokenStore.delete} */
  async delete(key: string): Promise<boolean> {
    const deleted = await this.inner.delete(key);
    const legacy = legacyAccessTokenKey(key);
    return legacy === undefined ? deleted : (await this.inner.delete(legacy)) || deleted;
  }

  /** {@inheritDoc AccessTokenStore.compareAndDelete} */
  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    const deleted = await this.inner.compareAndDelete(key, expected);
    const legacy = legacyAccessTokenKey(key);
    if (legacy === undefined) return deleted;
    return (await this.inner.compareAndDelete(legacy, expected)) || deleted;
  }

  /** {@inheritDoc AccessTokenStore.tryLock} */
  async tryLock(lockKey: string, owner: string, ttlMs: number): Promise<AccessTokenLockAttempt> {
    const attempt = await this.inner.tryLock(lockKey, owner, ttlMs);
    const legacy = legacyAccessTokenKey(lockKey);
    if (!attempt.acquired || legacy === undefined) return attempt;
    const legacyAttempt = await this.inner.tryLock(legacy, owner, ttlMs);
    if (!legacyAttempt.acquired) await this.inner.unlock(lockKey, owner);
    return legacyAttempt;
  }

  /** {@inheritDoc AccessTokenStore.extendLock} */
  async extendLock(lockKey: string, owner: string, ttlMs: number): Promise<boolean> {
    const extended = await this.inner.extendLock(lockKey, owner, ttlMs);
    const legacy = legacyAccessTokenKey(lockKey);
    if (legacy === undefined) return extended;
    return (await this.inner.extendLock(legacy, owner, ttlMs)) && extended;
  }

  /** {@inheritDoc AccessTokenStore.unlock} */
  async unlock(lockKey: string, owner: string): Promise<boolean> {
    const released = await this.inner.unlock(lockKey, owner);
    const legacy = legacyAccessTokenKey(lockKey);
    if (legacy === undefined) return released;
    return (await this.inner.unlock(legacy, owner)) || released;
  }

  /** {@inheritDoc AccessTokenStore.setIfLockOwner} */
  async setIfLockOwner(
    key: string,
    value: string,
    ttlMs: number,
    lockKey: string,
    owner: string,
  ): Promise<AccessTokenLockedWriteResult> {
    const result = await this.inner.setIfLockOwner(key, value, ttlMs, lockKey, owner);
    const legacy = legacyAccessTokenKey(key);
    if (result !== 'kept-existing' && legacy !== undefined) {
      await this.inner.set(legacy, value, ttlMs, 'always');
    }
    return result;
  }
}
