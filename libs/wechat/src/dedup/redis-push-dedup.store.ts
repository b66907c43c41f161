import type { Redis } from 'ioredis';
import { RedisBatchQueue } from '../redis/redis-batch.queue';
import { RedisCommandRunner, lua, type LuaScript } from '../redis/redis-command.runner';
import type {
  CachedPushResponse,
  PushClaim,
  PushDedupState,
  PushDedupStore,
} from './push-dedup-store.interface';

const PENDING = 'p:';
/** An answer: `a:<content type>\n<body>` (a content type never holds a line break). */
const ANSWER = 'a:';
/** An answer as earlier versions wrote it, `d:<JSON [content type, body]>`: still read. */
const JSON_ANSWER = 'd:';

/**
 * Claims many keys at once. Per key `KEYS[i]`: `ARGV[2i-1]` the claim value, `ARGV[2i]` its TTL (ms).
 * Answers per key `1` when claimed (SET NX), else the value that holds it.
 */
const CLAIM_SCRIPT = lua(`
local result = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[2 * i - 1], 'PX', ARGV[2 * i], 'NX') then
    result[i] = 1
  else
    result[i] = redis.call('GET', key) or ''
  end
end
return result`);

/**
 * Completes or releases many keys at once. Per key `KEYS[i]`: `ARGV[3i-2]` the owner's claim value,
 * `ARGV[3i-1]` the answer to record (kept `ARGV[3i]` ms) if the key is ours or free, or `''` to
 * delete the key if it is still ours. Never touches another owner's claim. Answers per key `1` when
 * it wrote or deleted, `0` when the key belonged to someone else.
 */
const SETTLE_SCRIPT = lua(`
local result = {}
for i, key in ipairs(KEYS) do
  local claim, answer = ARGV[3 * i - 2], ARGV[3 * i - 1]
  local current = redis.call('GET', key)
  result[i] = 0
  if answer == '' then
    if current == claim then
      redis.call('DEL', key)
      result[i] = 1
    end
  elseif (not current) or current == claim then
    redis.call('SET', key, answer, 'PX', ARGV[3 * i])
    result[i] = 1
  end
end
return result`);

interface ClaimCall {
  readonly key: string;
  readonly value: string;
  readonly ttlMs: number;
}

interface SettleCall {
  readonly key: string;
  readonly claim: string;
  /** The encoded answer, or `''` to release. */
  readonly answer: string;
  readonly ttlMs: number;
}

/** Default bound on one Redis command of the de-dup store, in ms. */
export const DEFAULT_PUSH_DEDUP_COMMAND_TIMEOUT_MS = 500;

/**
 * {@link PushDedupStore} in Redis, shared by every instance: one key per push, `p:<owner>` while it
 * is handled (SET NX PX), `a:<answer>` once answered. The claims made in one turn of the event loop
 * go to Redis as one script call, and so do the completions and releases ({@link RedisBatchQueue}):
 * under load a push costs a fraction of a command. Commands follow {@link RedisCommandRunner}: they
 * wait for the client's first connection, fail fast while Redis is down and are bounded in time,
 * so a push is never held up by Redis.
 */
export class RedisPushDedupStore implements PushDedupStore {
  private readonly commands: RedisCommandRunner;
  private readonly claims = new RedisBatchQueue<ClaimCall, unknown>((calls) =>
    this.runBatch(CLAIM_SCRIPT, calls, (call) => [call.value, call.ttlMs]),
  );
  private readonly settles = new RedisBatchQueue<SettleCall, unknown>((calls) =>
    this.runBatch(SETTLE_SCRIPT, calls, (call) => [call.claim, call.answer, call.ttlMs]),
  );

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    commandTimeoutMs = DEFAULT_PUSH_DEDUP_COMMAND_TIMEOUT_MS,
  ) {
    this.commands = new RedisCommandRunner(redis, commandTimeoutMs);
  }

  async claim(key: string, owner: string, pendingTtlMs: number): Promise<PushClaim> {
    const result = await this.claims.add({
      key: this.keyPrefix + key,
      value: PENDING + owner,
      ttlMs: pendingTtlMs,
    });
    if (result === 1) return { state: 'claimed' };
    const state = decode(typeof result === 'string' && result !== '' ? result : null);
    // Nothing readable held it: let the caller try again as a waiter.
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
    const answer = ANSWER + response.contentType + '\n' + response.body;
    await this.settles.add({ key: this.keyPrefix + key, claim: PENDING + owner, answer, ttlMs });
  }

  async release(key: string, owner: string): Promise<void> {
    await this.settles.add({
      key: this.keyPrefix + key,
      claim: PENDING + owner,
      answer: '',
      ttlMs: 0,
    });
  }

  /** One script call for a batch: the calls' keys, and their arguments in the same order. */
  private async runBatch<TCall extends { readonly key: string }>(
    script: LuaScript,
    calls: readonly TCall[],
    args: (call: TCall) => (string | number)[],
  ): Promise<unknown[]> {
    const result = await this.commands.script(
      script,
      calls.map((call) => call.key),
      calls.flatMap(args),
    );
    return Array.isArray(result) ? (result as unknown[]) : [];
  }
}

function decode(value: string | null): PushDedupState {
  if (value === null) return { state: 'absent' };
  if (value.startsWith(ANSWER)) {
    const end = value.indexOf('\n', ANSWER.length);
    if (end > 0) {
      return {
        state: 'done',
        response: { contentType: value.slice(ANSWER.length, end), body: value.slice(end + 1) },
      };
    }
  } else if (value.startsWith(JSON_ANSWER)) {
    try {
      const [contentType, body] = JSON.parse(value.slice(JSON_ANSWER.length)) as [string, string];
      if (typeof contentType === 'string' && typeof body === 'string') {
        return { state: 'done', response: { contentType, body } };
      }
    } catch {
      // a foreign value: treat as pending, it will expire
    }
  }
  return { state: 'pending' };
}
