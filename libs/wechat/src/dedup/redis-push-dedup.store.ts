import type { WechatRedisClient } from '../redis/wechat-redis-client.type';
import { RedisBatchQueue } from '../redis/redis-batch.queue';
import { RedisCommandRunner, lua } from '../redis/redis-command.runner';
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
 * Claims, completes and releases many keys at once, in call order. Per key `KEYS[i]`, four
 * arguments from `ARGV[4i-3]`: the operation, the claim value, the answer and a TTL in ms.
 * - `c` claims the key (SET NX PX): `1` when claimed, else the value that holds it.
 * - `s` records the answer if the key is ours or free: `1` when written, `0` when another owner
 *   holds it.
 * - `r` deletes the key if it is still ours: `1` when deleted, else `0`.
 * Never touches another owner's claim.
 */
const BATCH_SCRIPT = lua(`
local result = {}
for i, key in ipairs(KEYS) do
  local base = 4 * i - 4
  local op, claim = ARGV[base + 1], ARGV[base + 2]
  if op == 'c' then
    if redis.call('SET', key, claim, 'PX', ARGV[base + 4], 'NX') then
      result[i] = 1
    else
      result[i] = redis.call('GET', key) or ''
    end
  else
    local current = redis.call('GET', key)
    result[i] = 0
    if op == 'r' then
      if current == claim then
        redis.call('DEL', key)
        result[i] = 1
      end
    elseif (not current) or current == claim then
      redis.call('SET', key, ARGV[base + 3], 'PX', ARGV[base + 4])
      result[i] = 1
    end
  end
end
return result`);

/** One operation of a batch (see {@link BATCH_SCRIPT}). */
interface DedupOperation {
  readonly op: 'c' | 's' | 'r';
  readonly key: string;
  readonly claim: string;
  /** The encoded answer of a completion; `''` otherwise. */
  readonly answer: string;
  readonly ttlMs: number;
}

/** Default bound on one Redis command of the de-dup store, in ms. */
export const DEFAULT_PUSH_DEDUP_COMMAND_TIMEOUT_MS = 500;

/**
 * {@link PushDedupStore} in Redis, shared by every instance: one key per push, `p:<owner>` while it
 * is handled (SET NX PX), `a:<answer>` once answered. The claims made in one turn of the event loop
 * go to Redis as one script call together with the completions and releases of the same turn
 * ({@link RedisBatchQueue}): under load a push costs a fraction of a command. Commands follow {@link RedisCommandRunner}: they
 * wait for the client's first connection, fail fast while Redis is down and are bounded in time,
 * so a push is never held up by Redis.
 */
export class RedisPushDedupStore implements PushDedupStore {
  private readonly commands: RedisCommandRunner;
  private readonly batch = new RedisBatchQueue<DedupOperation, unknown>((operations) =>
    this.runBatch(operations),
  );

  constructor(
    private readonly redis: WechatRedisClient,
    private readonly keyPrefix: string,
    commandTimeoutMs = DEFAULT_PUSH_DEDUP_COMMAND_TIMEOUT_MS,
  ) {
    this.commands = new RedisCommandRunner(redis, commandTimeoutMs);
  }

  async claim(key: string, owner: string, pendingTtlMs: number): Promise<PushClaim> {
    const result = await this.batch.add({
      op: 'c',
      key: this.keyPrefix + key,
      claim: PENDING + owner,
      answer: '',
      ttlMs: redisTtl(pendingTtlMs),
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
    await this.batch.add({
      op: 's',
      key: this.keyPrefix + key,
      claim: PENDING + owner,
      answer,
      ttlMs: redisTtl(ttlMs),
    });
  }

  async release(key: string, owner: string): Promise<void> {
    await this.batch.add({
      op: 'r',
      key: this.keyPrefix + key,
      claim: PENDING + owner,
      answer: '',
      ttlMs: 0,
    });
  }

  /** One script call for a batch: the operations' keys, and their arguments in the same order. */
  private async runBatch(operations: readonly DedupOperation[]): Promise<unknown[]> {
    const keys: string[] = new Array<string>(operations.length);
    const args: (string | number)[] = new Array<string | number>(operations.length * 4);
    for (let i = 0; i < operations.length; i += 1) {
      const operation = operations[i];
      keys[i] = operation.key;
      args[4 * i] = operation.op;
      args[4 * i + 1] = operation.claim;
      args[4 * i + 2] = operation.answer;
      args[4 * i + 3] = operation.ttlMs;
    }
    const result = await this.commands.script(BATCH_SCRIPT, keys, args);
    return Array.isArray(result) ? (result as unknown[]) : [];
  }
}

/**
 * A TTL Redis accepts (`PX` takes a positive integer): one bad argument would fail the whole script
 * call, and with it every claim and answer of the turn.
 */
function redisTtl(ms: number): number {
  return Number.isFinite(ms) && ms > 1 ? Math.ceil(ms) : 1;
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
