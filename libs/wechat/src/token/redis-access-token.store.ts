import { lua } from '../redis/lua-script';
import { RedisCommandRunner } from '../redis/redis-command.runner';
import type { WechatRedisClient } from '../redis/wechat-redis-client.type';
import type {
  AccessTokenLockAttempt,
  AccessTokenLockedWriteResult,
  AccessTokenSetMode,
  AccessTokenStore,
  StoredAccessToken,
} from './access-token-store.interface';
import { DEFAULT_STORE_WAIT_MS } from '../wechat.constants';
import { DEFAULT_REDIS_STORE_COMMAND_TIMEOUT_MS } from './access-token.constants';

/** Options of {@link RedisAccessTokenStore}. */
export interface RedisAccessTokenStoreOptions {
  /**
   * A command that has not answered after this many ms fails (the caller then works without Redis).
   * Default 1000.
   */
  commandTimeoutMs?: number;
  /**
   * While the client reconnects (a failover), a command waits this long for it to be ready before
   * failing (the caller then works without Redis). Default 1500 (the module's `storeWaitMs`).
   */
  storeWaitMs?: number;
}

/** `{value, pttl}` of KEYS[1], or nil. */
const GET_WITH_TTL = lua(`
local value = redis.call('GET', KEYS[1])
if not value then return false end
return {value, redis.call('PTTL', KEYS[1])}
`);

/** DEL KEYS[1] only if it holds ARGV[1] (token compare-and-delete, lock release). */
const DELETE_IF_EQUAL = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * SET NX PX; -1 when acquired (or already held by this owner: a retried call), else the holder's
 * remaining PTTL (≥ 0).
 */
const TRY_LOCK = lua(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return -1 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
return ttl
`);

/** PEXPIRE KEYS[1] ARGV[2] only if it holds ARGV[1]. */
const EXTEND_IF_OWNER = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/**
 * KEYS[1] token, KEYS[2] lock; ARGV value, ttl, owner. 1: written as lock owner; 2: lock lost but
 * the token key was empty (SET NX); 0: lock lost and a token exists (kept).
 */
const SET_IF_LOCK_OWNER = lua(`
if redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 2 end
return 0
`);

/**
 * {@link AccessTokenStore} on Redis (ioredis 5), shared by every process of the fleet.
 *
 * ```ts
 * const store = new RedisAccessTokenStore(new Redis(url, { enableOfflineQueue: false }));
 * ```
 *
 * - The token is a plain string key with a PX TTL; {@link get} reads value and PTTL in one Lua call,
 *   so every process gets the true remaining lifetime without relying on synchronised clocks.
 * - Lock release, compare-and-delete, lock extension and the lock-owner write are Lua scripts
 *   (EVALSHA, falling back to EVAL after `NOSCRIPT`, e.g. after a Redis restart).
 * - Rides out a failover, then fails fast: once the client has been ready, a command issued while
 *   ioredis is reconnecting waits up to `storeWaitMs` (default 1.5 s) for it to be ready again
 *   (a Sentinel or Cluster failover of about a second costs no extra upstream call), then is
 *   refused instead of waiting in ioredis's offline queue; any command is bounded by
 *   `commandTimeoutMs`. Recommended client options for the host:
 *   `enableOfflineQueue: false` (or keep the default: this store does not queue anyway) and a small
 *   `maxRetriesPerRequest` (e.g. 1) so that a half-open connection does not hold commands; keep
 *   ioredis's default reconnect (`retryStrategy`) so the store comes back by itself.
 * - Redis Cluster: the lock-owner write touches the token key and the lock key together; the
 *   module's key schema (`<prefix>{<appId>}:…`) puts every key of one account in one slot, and the
 *   module checks it at start-up on a Cluster client.
 *
 * The client is the host's: this store never connects, quits or adds listeners to it.
 */
export class RedisAccessTokenStore implements AccessTokenStore {
  private readonly commands: RedisCommandRunner;

  /**
   * @param redis an ioredis client (standalone, Sentinel) or Cluster.
   * @param options see {@link RedisAccessTokenStoreOptions}.
   */
  constructor(
    private readonly redis: WechatRedisClient,
    options: RedisAccessTokenStoreOptions = {},
  ) {
    this.commands = new RedisCommandRunner(
      redis,
      options.commandTimeoutMs ?? DEFAULT_REDIS_STORE_COMMAND_TIMEOUT_MS,
      options.storeWaitMs ?? DEFAULT_STORE_WAIT_MS,
    );
  }

  /** {@inheritDoc AccessTokenStore.get} */
  async get(key: string): Promise<StoredAccessToken | null> {
    const reply = await this.commands.script(GET_WITH_TTL, [key], []);
    if (!Array.isArray(reply) || reply.length !== 2) return null;
    const [value, ttl] = reply as [unknown, unknown];
    const ttlMs = Number(ttl);
    // A value without TTL (-1) was not written by this library: treat it as absent.
    if (typeof value !== 'string' || !(ttlMs > 0)) return null;
    return { value, ttlMs };
  }

  /** {@inheritDoc AccessTokenStore.set} */
  async set(
    key: string,
    value: string,
    ttlMs: number,
    mode: AccessTokenSetMode = 'always',
  ): Promise<boolean> {
    const px = toPx(ttlMs);
    const reply = await this.commands.run(() =>
      mode === 'if-absent'
        ? this.redis.set(key, value, 'PX', px, 'NX')
        : this.redis.set(key, value, 'PX', px),
    );
    return reply === 'OK';
  }

  /** {@inheritDoc AccessTokenStore.delete} */
  async delete(key: string): Promise<boolean> {
    return (await this.commands.run(() => this.redis.del(key))) > 0;
  }

  /** {@inheritDoc AccessTokenStore.compareAndDelete} */
  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    return Number(await this.commands.script(DELETE_IF_EQUAL, [key], [expected])) > 0;
  }

  /** {@inheritDoc AccessTokenStore.tryLock} */
  async tryLock(lockKey: string, owner: string, ttlMs: number): Promise<AccessTokenLockAttempt> {
    const reply = Number(await this.commands.script(TRY_LOCK, [lockKey], [owner, toPx(ttlMs)]));
    return reply === -1 ? { acquired: true } : { acquired: false, remainingMs: reply };
  }

  /** {@inheritDoc AccessTokenStore.extendLock} */
  async extendLock(lockKey: string, owner: string, ttlMs: number): Promise<boolean> {
    return (
      Number(await this.commands.script(EXTEND_IF_OWNER, [lockKey], [owner, toPx(ttlMs)])) === 1
    );
  }

  /** {@inheritDoc AccessTokenStore.unlock} */
  async unlock(lockKey: string, owner: string): Promise<boolean> {
    return Number(await this.commands.script(DELETE_IF_EQUAL, [lockKey], [owner])) > 0;
  }

  /** {@inheritDoc AccessTokenStore.setIfLockOwner} */
  async setIfLockOwner(
    key: string,
    value: string,
    ttlMs: number,
    lockKey: string,
    owner: string,
  ): Promise<AccessTokenLockedWriteResult> {
    const reply = Number(
      await this.commands.script(SET_IF_LOCK_OWNER, [key, lockKey], [value, toPx(ttlMs), owner]),
    );
    return reply === 1 ? 'written' : reply === 2 ? 'written-if-absent' : 'kept-existing';
  }
}

/** A positive integer number of ms for PX / PEXPIRE. */
function toPx(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
