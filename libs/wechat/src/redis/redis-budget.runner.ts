import { setTimeout as sleep } from 'node:timers/promises';
import { WechatStoreCrossSlotError, WechatStoreKeyTypeError } from '../errors/wechat-store.error';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import { evalLua, type LuaScript } from './lua-script';
import { classifyRedisError, messageOf } from './redis-error.classifier';
import { readyOrEndWithin, retryPause, withTimeout } from './redis-wait.util';
import type { WechatRedisClient } from './wechat-redis-client.type';

/** The clock of every budget here: monotonic, in ms (a wall-clock step changes no bound). */
export const budgetClock = (): number => performance.now();

/**
 * Runs store commands within the caller's budget, so that a slow or recovering Redis is waited
 * for and not taken for a dead one:
 * - a command on a connected client is waited for until the caller's `deadline` (a slow answer is
 *   not an outage);
 * - while the client is not ready (reconnecting, a Sentinel or Cluster failover), a command waits
 *   for it up to `storeWaitMs` (and the deadline), then fails;
 * - transient replies (`TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, `READONLY`, a dropped connection …)
 *   are retried with a short backoff until the deadline;
 * - `CROSSSLOT` and `WRONGTYPE` fail at once with their own typed errors; everything else is a
 *   {@link WechatTokenStoreError}. No error carries a command's arguments (keys may hold openids,
 *   values hold replies).
 *
 * Retried commands must be idempotent (the de-dup scripts are: a claim held by its own owner
 * counts as claimed, completions and releases are owner-checked).
 */
export class RedisBudgetRunner {
  constructor(
    private readonly redis: WechatRedisClient,
    private readonly storeWaitMs: number,
  ) {}

  /** Whether the client is a Cluster (commands are routed by hash slot). */
  get isCluster(): boolean {
    return (this.redis as { isCluster?: unknown }).isCluster === true;
  }

  /** Runs an EVALSHA (EVAL after `NOSCRIPT`) under the rules above. */
  script(
    script: LuaScript,
    keys: readonly string[],
    args: readonly (string | number)[],
    deadline: number,
  ): Promise<unknown> {
    return this.run(() => evalLua(this.redis, script, keys, args), deadline);
  }

  /** Runs one command under the rules above; `deadline` is on {@link budgetClock}. */
  async run<T>(command: () => Promise<T>, deadline: number): Promise<T> {
    let waitUntil: number | undefined;
    for (let attempt = 0; ; attempt += 1) {
      if (!this.sendable()) {
        waitUntil ??= Math.min(deadline, budgetClock() + this.storeWaitMs);
        await this.waitForReady(waitUntil);
      }
      try {
        return await withTimeout(
          command(),
          deadline - budgetClock(),
          () => new WechatTokenStoreError('Redis did not answer within the budget.'),
        );
      } catch (error: unknown) {
        const kind = classifyRedisError(error);
        if (kind === 'cross-slot') {
          throw new WechatStoreCrossSlotError(
            'Redis refused a command whose keys are in different hash slots (CROSSSLOT).',
          );
        }
        if (kind === 'wrong-type') {
          throw new WechatStoreKeyTypeError(
            'A key under the keyPrefix holds a value of another type (WRONGTYPE).',
          );
        }
        if (error instanceof WechatTokenStoreError) throw error;
        const pause = retryPause(attempt);
        if (kind !== 'transient' || budgetClock() + pause >= deadline) {
          throw new WechatTokenStoreError(`Redis command failed: ${firstLine(error)}`);
        }
        await sleep(pause);
      }
    }
  }

  /** Ready to take a command now. */
  private sendable(): boolean {
    return this.redis.status === 'ready';
  }

  private async waitForReady(until: number): Promise<void> {
    // A lazy client (`lazyConnect`) not asked to connect yet: connect it (with the offline queue
    // off, a command alone would not).
    if (this.redis.status === 'wait') this.redis.connect().catch(() => undefined);
    if (this.redis.status === 'end') {
      throw new WechatTokenStoreError('Redis is not available (the client was closed).');
    }
    await readyOrEndWithin(this.redis, until - budgetClock());
    if (!this.sendable()) {
      throw new WechatTokenStoreError(
        `Redis is not available (connection status "${this.redis.status}", waited up to storeWaitMs).`,
      );
    }
  }
}

/** The first line of an error's message: never the command's arguments ioredis attaches. */
function firstLine(error: unknown): string {
  return messageOf(error).split('\n')[0].replace(/\.$/, '');
}
