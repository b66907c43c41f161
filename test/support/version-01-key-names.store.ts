import type { AccessTokenStore } from '@app/wechat';

/**
 * Rewrites a key of the current schema (`<prefix>{<appId>}:<name>`) to the name version 0.1 gave
 * it (`<prefix><name>:<appId>`), as the previous version's instances use them.
 */
function version01Name(key: string): string {
  const match = /^(.*)\{([^{}]+)\}:([a-z_]+)(:.*)?$/.exec(key);
  return match ? `${match[1]}${match[3]}:${match[2]}${match[4] ?? ''}` : key;
}

/**
 * A token store that behaves as version 0.1's instances did in Redis: the same algorithm, under the
 * old key names and without the legacy-key bridge. Used to run "previous version" processes next
 * to current ones in the rolling-deploy tests.
 */
export function version01KeyNames(inner: AccessTokenStore): AccessTokenStore {
  return {
    get: (key) => inner.get(version01Name(key)),
    set: (key, value, ttlMs, mode) => inner.set(version01Name(key), value, ttlMs, mode),
    delete: (key) => inner.delete(version01Name(key)),
    compareAndDelete: (key, expected) => inner.compareAndDelete(version01Name(key), expected),
    tryLock: (lockKey, owner, ttlMs) => inner.tryLock(version01Name(lockKey), owner, ttlMs),
    extendLock: (lockKey, owner, ttlMs) => inner.extendLock(version01Name(lockKey), owner, ttlMs),
    unlock: (lockKey, owner) => inner.unlock(version01Name(lockKey), owner),
    setIfLockOwner: (key, value, ttlMs, lockKey, owner) =>
      inner.setIfLockOwner(version01Name(key), value, ttlMs, version01Name(lockKey), owner),
  };
}
