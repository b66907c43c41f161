import type { Redis } from 'ioredis';
import { RedisCommandRunner, lua } from '../redis/redis-command.runner';
import type {
  CachedPushResponse,
  PushClaim,
  PushDedupState,
  PushDedupStore,
} from './push-dedup-store.interface';

const PENDING = 'p:';
const DONE = 'd:';

/** Writes the answer if the key is ours or free; never over another owner's claim. */
const COMPLETE_SCRIPT = lua(`
local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`);

/** Deletes the key only if it still holds our claim. */
const RELEASE_SCRIPT = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/** Default bound on one Redis command of the de-dup store, in ms. */
export const DEFAULT_PUSH_DEDUP_COMMAND_TIMEOUT_MS = 500;

/**
 * {@link PushDedupStore} in Redis, shared by every instance: one key per push, `p:<owner>` while it
 * is handled (SET NX PX), `d:<answer>` once answered. Commands follow {@link RedisCommandRunner}:
 * they wait for the client's first connection, fail fast while Redis is down and are bounded in
 * time, so a push is never held up by Redis.
 */
export class RedisPushDedupStore implements PushDedupStore {
  private readonly commands: RedisCommandRunner;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    commandTimeoutMs = DEFAULT_PUSH_DEDUP_COMMAND_TIMEOUT_MS,
  ) {
    this.commands = new RedisCommandRunner(redis, commandTimeoutMs);
  }

  async claim(key: string, owner: string, pendingTtlMs: number): Promise<PushClaim> {
    const name = this.keyPrefix + key;
    const set = await this.commands.run(() =>
      this.redis.set(name, PENDING + owner, 'PX', pendingTtlMs, 'NX'),
    );
    if (set === 'OK') return { state: 'claimed' };
    const state = decode(await this.commands.run(() => this.redis.get(name)));
    // Freed between the two commands: let the caller try again as a waiter.
    return state.state === 'absent' ? { state: 'pending' } : state;
  }

  async peek(key: string): Promise<PushDedupState> {
    return decode(await this.commands.run(() => this.redis.get(this.keyPrefix + key)));
  }

  async complete(
    key: string,
    owner: string,
    response: CachedPushResponse,
    ttlMs: number,
  ): Promise<void> {
    const value = DONE + JSON.stringify([response.contentType, response.body]);
    await this.commands.script(
      COMPLETE_SCRIPT,
      [this.keyPrefix + key],
      [PENDING + owner, value, ttlMs],
    );
  }

  async release(key: string, owner: string): Promise<void> {
    await this.commands.script(RELEASE_SCRIPT, [this.keyPrefix + key], [PENDING + owner]);
  }
}

function decode(value: string | null): PushDedupState {
  if (value === null) return { state: 'absent' };
  if (value.startsWith(DONE)) {
    try {
      const [contentType, body] = JSON.parse(value.slice(DONE.length)) as [string, string];
      if (typeof contentType === 'string' && typeof body === 'string') {
        return { state: 'done', response: { contentType, body } };
      }
    } catch {
      // a foreign value: treat as pending, it will expire
    }
  }
  return { state: 'pending' };
}
