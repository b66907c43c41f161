/** A token read from the shared store, with the time it has left there. */
export interface StoredAccessToken {
  /** The access_token. */
  readonly value: string;
  /** Milliseconds until the stored copy expires (already shortened by the safety margin). */
  readonly ttlMs: number;
}

/** Outcome of {@link AccessTokenStore.tryLock}. */
export type AccessTokenLockAttempt =
  | { readonly acquired: true }
  /** Someone else holds the lock; it expires in `remainingMs` unless its holder extends it. */
  | { readonly acquired: false; readonly remainingMs: number };

/**
 * Outcome of {@link AccessTokenStore.setIfLockOwner}:
 * - `written`: we still held the lock, the token was written (replacing any value);
 * - `written-if-absent`: our lock had expired, but no token was stored, so ours was written;
 * - `kept-existing`: our lock had expired and a token was already stored (presumably newer, written
 *   by the next lock holder): nothing was written.
 */
export type AccessTokenLockedWriteResult = 'written' | 'written-if-absent' | 'kept-existing';

/** How {@link AccessTokenStore.set} treats an existing value. */
export type AccessTokenSetMode = 'always' | 'if-absent';

/**
 * Where the access_token is shared between the processes of a fleet, plus the refresh lock.
 * Injected with `WECHAT_ACCESS_TOKEN_STORE`; implemented by {@link RedisAccessTokenStore} (fleet)
 * and {@link MemoryAccessTokenStore} (one process).
 *
 * Every method is atomic. Methods reject when the store is unreachable; {@link AccessTokenService}
 * then keeps working from its in-process copy. Keys are given by the caller
 * (`<keyPrefix>access_token:<appId>`, `<keyPrefix>access_token_lock:<appId>`,
 * `<keyPrefix>access_token_refusal:<appId>`, `<keyPrefix>access_token_force_refresh:<appId>`,
 * `<keyPrefix>access_token_rejected:<appId>:<digest>`), so the same store serves any fleet-wide
 * credential.
 */
export interface AccessTokenStore {
  /** The stored token and its remaining TTL, or `null` when absent or expired. */
  get(key: string): Promise<StoredAccessToken | null>;

  /**
   * Stores `value` for `ttlMs` ms. With `if-absent` nothing happens when a value exists.
   * @returns whether the value was written.
   */
  set(key: string, value: string, ttlMs: number, mode?: AccessTokenSetMode): Promise<boolean>;

  /** Deletes the key unconditionally. @returns whether a value was deleted. */
  delete(key: string): Promise<boolean>;

  /**
   * Deletes the key only if it still holds `expected` (a token WeChat rejected), so a newer token
   * written meanwhile by another process survives. @returns whether it was deleted.
   */
  compareAndDelete(key: string, expected: string): Promise<boolean>;

  /** Takes the lock (`SET NX PX`) for `owner`, a unique id of this attempt, for `ttlMs` ms. */
  tryLock(lockKey: string, owner: string, ttlMs: number): Promise<AccessTokenLockAttempt>;

  /** Resets the lock's TTL to `ttlMs` if `owner` still holds it. @returns whether it did. */
  extendLock(lockKey: string, owner: string, ttlMs: number): Promise<boolean>;

  /** Releases the lock if `owner` still holds it (never someone else's). @returns whether it did. */
  unlock(lockKey: string, owner: string): Promise<boolean>;

  /**
   * Writes the token a lock holder fetched, in one atomic step:
   * - if `owner` still holds `lockKey`, `SET key value PX ttlMs` (replacing any older token);
   * - otherwise the lock expired while the holder was fetching and another process may have become
   *   the holder and already stored a newer token, so only `SET NX` is done: the token is written
   *   if the key is empty, and a stored token is never overwritten.
   */
  setIfLockOwner(
    key: string,
    value: string,
    ttlMs: number,
    lockKey: string,
    owner: string,
  ): Promise<AccessTokenLockedWriteResult>;
}
