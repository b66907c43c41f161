import { WechatStoreKeyTypeError } from '../errors/wechat-store.error';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import { BatchItemFailure, RedisBatchQueue } from '../redis/redis-batch.queue';
import { lua } from '../redis/lua-script';
import { RedisBudgetRunner, budgetClock } from '../redis/redis-budget.runner';
import type { WechatRedisClient } from '../redis/wechat-redis-client.type';
import { DEFAULT_STORE_WAIT_MS } from '../wechat.constants';
import { legacyPushDedupKey } from './push-dedup.key';
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
 * Claims, completes, releases and reads many keys at once, in call order, each key on its own: a
 * key that fails (`WRONGTYPE`) answers `{ error }` and the others still run. `KEYS[1..n]` are the
 * operations' keys, `KEYS[n+1..]` the previous version's key names that claims read first. Per
 * operation `i`, four arguments from `ARGV[4i-3]`: the operation, the claim value, the answer (for
 * a claim: the index in KEYS of the old key name to read, or '') and a TTL in ms.
 * - `c` claims the key (SET NX PX) unless its old name holds a value: `1` when claimed, else the
 *   value that holds it (`''` when unreadable).
 * - `s` records the answer if the key is ours or free: `1` when written, `0` when another owner
 *   holds it.
 * - `r` deletes the key if it is still ours: `1` when deleted, else `0`.
 * - `g` reads the key: its value, or `''`.
 * Never touches another owner's claim.
 */
const BATCH_SCRIPT = lua(`
local function failed(reply)
  return type(reply) == 'table' and reply.err ~= nil
end
local function read(key)
  local value = redis.pcall('GET', key)
  if failed(value) then return {value.err} end
  return value or ''
end
local result = {}
for i = 1, #ARGV / 4 do
  local key = KEYS[i]
  local base = 4 * i - 4
  local op, claim, extra, ttl = ARGV[base + 1], ARGV[base + 2], ARGV[base + 3], ARGV[base + 4]
  if op == 'c' then
    local old = ''
    if extra ~= '' then old = read(KEYS[tonumber(extra)]) end
    if old ~= '' then
      result[i] = old
    else
      local set = redis.pcall('SET', key, claim, 'PX', ttl, 'NX')
      if failed(set) then
        result[i] = {set.err}
      elseif set then
        result[i] = 1
      else
        result[i] = read(key)
      end
    end
  elseif op == 'g' then
    result[i] = read(key)
  else
    local current = redis.pcall('GET', key)
    if failed(current) then
      result[i] = {current.err}
    else
      result[i] = 0
      if op == 'r' then
        if current == claim then
          redis.call('DEL', key)
          result[i] = 1
        end
      elseif (not current) or current == claim then
        redis.call('SET', key, extra, 'PX', ttl)
        result[i] = 1
      end
    end
  end
end
return result`);

/** One operation of a batch (see {@link BATCH_SCRIPT}). */
interface DedupOperation {
  readonly op: 'c' | 's' | 'r' | 'g';
  readonly key: string;
  readonly claim: string;
  /** The encoded answer of a completion; `''` otherwise. */
  readonly answer: string;
  readonly ttlMs: number;
  /** A claim's key under the previous version's name, read first; `undefined` otherwise. */
  readonly legacyKey?: string;
  readonly deadline: number;
}

/** What {@link RedisPushDedupStore} may vary. */
export interface RedisPushDedupStoreOptions {
  /**
   * How long a command waits for a client that is not ready (reconnecting, failing over), in ms.
   * Default {@link DEFAULT_STORE_WAIT_MS}.
   */
  readonly storeWaitMs?: number;
  /** Bound of a call made without a deadline, in ms. Default 5 000. */
  readonly defaultBudgetMs?: number;
  /**
   * Read the previous version's key names (`push:<appId>:id:<MsgId>`, no hash tag) before a
   * claim, so a rolling deploy runs no retried push twice. Default true.
   */
  readonly readLegacyKeys?: boolean;
}

const DEFAULT_BUDGET_MS = 5_000;

/**
 * {@link PushDedupStore} in Redis (a single node, a Sentinel-managed primary or a Cluster), shared
 * by every instance: one key per push, `p:<owner>` while it is handled (SET NX PX), `a:<answer>`
 * once answered.
 *
 * The operations made in one turn of the event loop go out together ({@link RedisBatchQueue}), and
 * completions and releases (written behind the answer) ride along with the next turn's claims
 * (or leave within 10 ms): on a single node as one script call; on a Cluster as single-key script calls sent at once (each
 * push key has its own hash tag), so no command spans slots, a failing slot fails only its own
 * keys and a slot being migrated is followed (`ASK`), never refused (`TRYAGAIN`). In a script,
 * every key succeeds or fails on its own (a key of the wrong type fails alone).
 *
 * Commands follow {@link RedisBudgetRunner}: a slow Redis is waited for within the caller's
 * deadline, a reconnecting client for up to `storeWaitMs`, and transient Cluster states are retried.
 */
export class RedisPushDedupStore implements PushDedupStore {
  private readonly commands: RedisBudgetRunner;
  private readonly defaultBudgetMs: number;
  private readonly readLegacyKeys: boolean;
  private readonly batch = new RedisBatchQueue<DedupOperation, unknown>((operations) =>
    this.runBatch(operations),
  );

  constructor(
    redis: WechatRedisClient,
    private readonly keyPrefix: string,
    options: RedisPushDedupStoreOptions = {},
  ) {
    this.commands = new RedisBudgetRunner(redis, options.storeWaitMs ?? DEFAULT_STORE_WAIT_MS);
    this.defaultBudgetMs = options.defaultBudgetMs ?? DEFAULT_BUDGET_MS;
    this.readLegacyKeys = options.readLegacyKeys ?? true;
  }

  /** A claim already held by `owner` (a retried command whose first attempt landed) is `claimed`. */
  async claim(
    key: string,
    owner: string,
    pendingTtlMs: number,
    deadline?: number,
  ): Promise<PushClaim> {
    const claim = PENDING + owner;
    const result = await this.add({
      op: 'c',
      key: this.keyPrefix + key,
      claim,
      answer: '',
      ttlMs: redisTtl(pendingTtlMs),
      legacyKey: this.legacyKey(key),
      deadline: deadline ?? this.defaultDeadline(),
    });
    if (result === 1 || result === claim) return { state: 'claimed' };
    const state = decode(typeof result === 'string' && result !== '' ? result : null);
    // Nothing readable held it: let the caller try again as a waiter.
    return state.state === 'absent' ? { state: 'pending' } : state;
  }

  async peek(key: string, deadline?: number): Promise<PushDedupState> {
    const until = deadline ?? this.defaultDeadline();
    const legacyKey = this.legacyKey(key);
    const [current, legacy] = await Promise.all([
      this.read(this.keyPrefix + key, until),
      legacyKey === undefined ? '' : this.read(legacyKey, until),
    ]);
    return decode(current || legacy || null);
  }

  async complete(
    key: string,
    owner: string,
    response: CachedPushResponse,
    ttlMs: number,
    deadline?: number,
  ): Promise<void> {
    await this.add(
      {
        op: 's',
        key: this.keyPrefix + key,
        claim: PENDING + owner,
        answer: ANSWER + response.contentType + '\n' + response.body,
        ttlMs: redisTtl(ttlMs),
        deadline: deadline ?? this.defaultDeadline(),
      },
      true,
    );
  }

  async release(key: string, owner: string, deadline?: number): Promise<void> {
    await this.add(
      {
        op: 'r',
        key: this.keyPrefix + key,
        claim: PENDING + owner,
        answer: '',
        ttlMs: 0,
        deadline: deadline ?? this.defaultDeadline(),
      },
      true,
    );
  }

  private async read(fullKey: string, deadline: number): Promise<string> {
    const value = await this.add({
      op: 'g',
      key: fullKey,
      claim: '',
      answer: '',
      ttlMs: 0,
      deadline,
    });
    return typeof value === 'string' ? value : '';
  }

  private legacyKey(key: string): string | undefined {
    if (!this.readLegacyKeys) return undefined;
    const legacy = legacyPushDedupKey(key);
    return legacy === undefined ? undefined : this.keyPrefix + legacy;
  }

  private defaultDeadline(): number {
    return budgetClock() + this.defaultBudgetMs;
  }

  /**
   * Queues one operation, bounded by its own deadline whatever the batch's. Completions and
   * releases are deferrable: they are written behind the answer (they only have to land before
   * WeChat's retry, seconds later), so they ride along with the next claims' script call.
   */
  private add(operation: DedupOperation, deferrable = false): Promise<unknown> {
    // One promise and one timer per operation (not a race of two promises and a finally).
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new WechatTokenStoreError('Redis did not answer within the budget.')),
        Math.max(operation.deadline - budgetClock(), 0),
      );
      this.batch.add(operation, deferrable).then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * Runs a batch: on a single node one script call (claims read their old key name in it); on a
   * Cluster, the old names of the claims first, then one single-key script call per operation.
   */
  private async runBatch(operations: readonly DedupOperation[]): Promise<unknown[]> {
    if (!this.commands.isCluster) {
      return this.runScript(operations, true).catch((error: unknown) =>
        operations.map(() => new BatchItemFailure(error)),
      );
    }
    const results = new Array<unknown>(operations.length);
    const claims: number[] = [];
    operations.forEach((operation, i) => {
      if (operation.op === 'c' && operation.legacyKey !== undefined) claims.push(i);
    });
    if (claims.length > 0) {
      const legacyReads = claims.map((i) => ({
        ...operations[i],
        op: 'g' as const,
        key: operations[i].legacyKey as string,
        legacyKey: undefined,
      }));
      const legacy = await this.runEach(legacyReads);
      claims.forEach((i, j) => {
        const value = legacy[j];
        // A value under the old name (or a failure to read it) decides the claim.
        if (value !== '') results[i] = value;
      });
    }
    const pending = operations
      .map((operation, i) => ({ operation, i }))
      .filter(({ i }) => results[i] === undefined);
    const answered = await this.runEach(
      pending.map(({ operation }) => ({ ...operation, legacyKey: undefined })),
    );
    pending.forEach(({ i }, j) => (results[i] = answered[j]));
    return results;
  }

  /**
   * One single-key script call per operation, all sent at once (pipelined on each master's
   * connection): no command spans two slots, a failing key or node fails only its own operations,
   * and a slot being migrated never answers `TRYAGAIN` (ioredis follows the `ASK` of a single-key
   * command; a multi-key one in a migrating slot would be refused until the migration ends).
   */
  private runEach(operations: readonly DedupOperation[]): Promise<unknown[]> {
    return Promise.all(
      operations.map(async (operation) => {
        try {
          return (await this.runScript([operation], false))[0];
        } catch (error: unknown) {
          return new BatchItemFailure(error);
        }
      }),
    );
  }

  /** One script call; per-key errors become {@link BatchItemFailure}s. */
  private async runScript(
    operations: readonly DedupOperation[],
    withLegacy: boolean,
  ): Promise<unknown[]> {
    const keys: string[] = operations.map((operation) => operation.key);
    const args: (string | number)[] = new Array<string | number>(operations.length * 4);
    let deadline = 0;
    for (let i = 0; i < operations.length; i += 1) {
      const operation = operations[i];
      let extra = operation.answer;
      if (operation.op === 'c') {
        extra = '';
        if (withLegacy && operation.legacyKey !== undefined) {
          keys.push(operation.legacyKey);
          extra = String(keys.length);
        }
      }
      args[4 * i] = operation.op;
      args[4 * i + 1] = operation.claim;
      args[4 * i + 2] = extra;
      args[4 * i + 3] = operation.ttlMs;
      deadline = Math.max(deadline, operation.deadline);
    }
    const reply = await this.commands.script(BATCH_SCRIPT, keys, args, deadline);
    const results = Array.isArray(reply) ? (reply as unknown[]) : [];
    return results.map((result) => (Array.isArray(result) ? keyFailure(result) : result));
  }
}

/** A per-key error the script answered (`{ err }`), typed; its text names no key. */
function keyFailure(reply: unknown[]): BatchItemFailure {
  const message = typeof reply[0] === 'string' ? reply[0] : 'unknown error';
  if (message.startsWith('WRONGTYPE')) {
    return new BatchItemFailure(
      new WechatStoreKeyTypeError(
        'A push de-dup key under the keyPrefix holds a value of another type (WRONGTYPE): another application writes under this prefix; give the module its own keyPrefix.',
      ),
    );
  }
  return new BatchItemFailure(new Error(message.split('\n')[0]));
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
