import type { WechatRedisClient } from './wechat-redis-client.type';

/** First pause before retrying a transient failure, in ms; doubled up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 25;
const MAX_BACKOFF_MS = 200;

/** The pause before retry number `attempt + 1` of a transient failure: 25, 50, 100, 200, 200 … ms. */
export function retryPause(attempt: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** attempt, MAX_BACKOFF_MS);
}

/**
 * `promise`, or the error `timedOut()` makes once `ms` have passed (the promise's own later
 * rejection is then ignored).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), Math.max(ms, 0));
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves when the client emits `ready` or `end`, or after `ms` (whichever comes first); the
 * caller reads `redis.status` to know which.
 */
export function readyOrEndWithin(redis: WechatRedisClient, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('end', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
    redis.once('end', done);
  });
}
