/** A rendered answer to a push, as cached for WeChat's retries. */
export interface CachedPushResponse {
  readonly body: string;
  readonly contentType: string;
}

/** What a push's dedup key holds: nothing, a handling in progress, or the answer given. */
export type PushDedupState =
  | { readonly state: 'absent' }
  | { readonly state: 'pending' }
  | { readonly state: 'done'; readonly response: CachedPushResponse };

/** Outcome of {@link PushDedupStore.claim}. */
export type PushClaim =
  { readonly state: 'claimed' } | Exclude<PushDedupState, { state: 'absent' }>;

/**
 * Where the handling state of pushes is shared by every instance, so that one push delivered up to
 * three times (possibly to different instances) is handled once and every delivery gets the same
 * answer. Implementations: {@link RedisPushDedupStore} (fleet-wide) and {@link MemoryPushDedupStore}
 * (one process). Methods reject with `WechatTokenStoreError`-like errors when the backend is down;
 * the caller then falls back to in-process de-duplication.
 *
 * Every method takes an optional `deadline` on the monotonic clock (`performance.now()`): the
 * latest moment its answer is still of use; a backend waits for a slow or recovering server until
 * then and no longer.
 */
export interface PushDedupStore {
  /**
   * Atomically claims `key` for `owner` for `pendingTtlMs` (the handling's budget, so that a
   * crashed owner frees it in time for WeChat's next retry) unless someone holds it.
   */
  claim(key: string, owner: string, pendingTtlMs: number, deadline?: number): Promise<PushClaim>;
  /** The current state of `key` (for a delivery waiting on another's handling). */
  peek(key: string, deadline?: number): Promise<PushDedupState>;
  /**
   * Records the answer, kept `ttlMs`, if `owner` still holds the key or nobody does (a claim that
   * outlived its TTL); never overwrites another owner's handling.
   */
  complete(
    key: string,
    owner: string,
    response: CachedPushResponse,
    ttlMs: number,
    deadline?: number,
  ): Promise<void>;
  /** Frees `key` if `owner` still holds it (a failed handling), so a later retry runs again. */
  release(key: string, owner: string, deadline?: number): Promise<void>;
}
