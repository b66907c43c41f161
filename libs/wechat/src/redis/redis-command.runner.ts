import { setTimeout as sleep } from 'node:timers/promises';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import { evalLua, type LuaScript } from './lua-script';
import { classifyRedisError, messageOf } from './redis-error.classifier';
import { readyOrEndWithin, retryPause, withTimeout } from './redis-wait.util';
import type { WechatRedisClient } from './wechat-redis-client.type';

/** ioredis statuses in which a command is sent, or queued only until the first connection. */
const STARTING_STATUSES: ReadonlySet<string> = new Set(['wait', 'connecting', 'connect']);

/**
 * Runs the library's Redis commands so that Redis never holds up a push or an API call: before the
 * client's first connection a command may wait for it; once the client has been ready, a command
 * issued while it reconnects waits up to `storeWaitMs` for it to be ready again (a failover), then
 * is refused (no offline queue); a command that fails transiently (its connection dropped under
 * it, `READONLY` from a demoted primary, `TRYAGAIN` …) is retried within `storeWaitMs`; every
 * attempt is bounded by `timeoutMs`. Failures are {@link WechatTokenStoreError}s, which callers
 * turn into their in-process fallback.
 */
export class RedisCommandRunner {
  private seenReady = false;
  /** A wait for the reconnecting client ran out: until it is ready again, fail at once. */
  private outageConfirmed = false;

  /**
   * @param redis the client.
   * @param timeoutMs the bound of one command, in ms.
   * @param storeWaitMs how long a command waits for a reconnecting client, in ms (0: not at all).
   */
  constructor(
    private readonly redis: WechatRedisClient,
    private readonly timeoutMs: number,
    private readonly storeWaitMs = 0,
  ) {}

  /**
   * Runs a Lua script under the rules above: EVALSHA, so the script's text crosses the wire only
   * after Redis answered `NOSCRIPT` (first use, or after a restart).
   */
  script(script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.run(() => evalLua(this.redis, script, keys, args));
  }

  /**
   * Runs one command (or script call) under the rules above. A command that fails because the
   * connection dropped under it (the primary was killed before ioredis noticed) or with a reply
   * that passes by itself (`TRYAGAIN`, `LOADING`, `READONLY` …) is retried with a short backoff
   * within `storeWaitMs`: every command here is idempotent for its caller.
   */
  async run<T>(command: () => Promise<T>): Promise<T> {
    let retryUntil: number | undefined;
    for (let attempt = 0; ; attempt += 1) {
      await this.awaitSendable(retryUntil);
      try {
        return await withTimeout(command(), this.timeoutMs, () => this.timedOut());
      } catch (error: unknown) {
        if (error instanceof WechatTokenStoreError) throw error;
        if (classifyRedisError(error) === 'transient' && this.storeWaitMs > 0) {
          retryUntil ??= performance.now() + this.storeWaitMs;
          const pause = retryPause(attempt);
          if (performance.now() + pause < retryUntil) {
            await sleep(pause);
            continue;
          }
        }
        throw new WechatTokenStoreError(`Redis command failed: ${messageOf(error)}`, {
          cause: sanitizedCause(error),
        });
      }
    }
  }

  /**
   * Returns when a command may be sent; throws when the client is not ready and does not become
   * ready in time (`storeWaitMs`, or until `until` on a retry).
   */
  private async awaitSendable(until: number | undefined): Promise<void> {
    const status = this.redis.status;
    if (status === 'ready') {
      this.seenReady = true;
      this.outageConfirmed = false;
      return;
    }
    if (!this.seenReady && STARTING_STATUSES.has(status)) return;
    const waitMs = until === undefined ? this.storeWaitMs : until - performance.now();
    if (status === 'end' || this.outageConfirmed || !(await this.readyWithin(waitMs))) {
      this.outageConfirmed = this.redis.status !== 'ready';
      throw new WechatTokenStoreError(
        `Redis is not available (connection status "${this.redis.status}").`,
      );
    }
  }

  private timedOut(): WechatTokenStoreError {
    return new WechatTokenStoreError(
      `Redis did not answer within ${this.timeoutMs} ms (commandTimeoutMs).`,
    );
  }

  /** Whether the client becomes ready within `ms` (a reconnect after a failover). */
  private async readyWithin(ms: number): Promise<boolean> {
    if (ms <= 0) return false;
    await readyOrEndWithin(this.redis, ms);
    return this.redis.status === 'ready';
  }
}

/**
 * The error ioredis rejected with, reduced to its name and message: its reply errors carry the
 * command's arguments (`error.command.args`: a token being written, a compare-and-delete's expected
 * token), which must not reach a log through the cause chain (`util.inspect` prints it).
 */
function sanitizedCause(error: unknown): Error {
  const copy = new Error(messageOf(error));
  const name = (error as { name?: unknown } | null)?.name;
  copy.name = typeof name === 'string' && name !== '' ? name : 'Error';
  return copy;
}
