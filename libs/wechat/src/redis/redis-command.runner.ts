import { createHash } from 'node:crypto';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import type { WechatRedisClient } from './wechat-redis-client.type';

/** ioredis statuses in which a command is sent, or queued only until the first connection. */
const STARTING_STATUSES: ReadonlySet<string> = new Set(['wait', 'connecting', 'connect']);

/**
 * Runs the library's Redis commands so that Redis never holds up a push or an API call: before the
 * client's first connection a command may wait for it; once the client has been ready, a command
 * issued while it reconnects waits up to `storeWaitMs` for it to be ready again (a failover), then
 * is refused (no offline queue); every command is bounded by `timeoutMs`. Failures are {@link WechatTokenStoreError}s, which callers turn into their
 * in-process fallback.
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
    return this.run(async () => {
      try {
        return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
      } catch (error: unknown) {
        if (!messageOf(error).startsWith('NOSCRIPT')) throw error;
        return this.redis.eval(script.source, keys.length, ...keys, ...args);
      }
    });
  }

  /** Runs one command (or script call) under the rules above. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    const status = this.redis.status;
    if (status === 'ready') {
      this.seenReady = true;
      this.outageConfirmed = false;
    } else if (this.seenReady || !STARTING_STATUSES.has(status)) {
      if (status === 'end' || this.outageConfirmed || !(await this.readyWithin(this.storeWaitMs))) {
        this.outageConfirmed = this.redis.status !== 'ready';
        throw new WechatTokenStoreError(
          `Redis is not available (connection status "${this.redis.status}").`,
        );
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new WechatTokenStoreError(
              `Redis did not answer within ${this.timeoutMs} ms (commandTimeoutMs).`,
            ),
          ),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([command(), timeout]);
    } catch (error: unknown) {
      if (error instanceof WechatTokenStoreError) throw error;
      throw new WechatTokenStoreError(`Redis command failed: ${messageOf(error)}`, {
        cause: sanitizedCause(error),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the client becomes ready within `ms` (a reconnect after a failover). */
  private readyWithin(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        this.redis.off('end', done);
        resolve(this.redis.status === 'ready');
      };
      const timer = setTimeout(done, ms);
      this.redis.once('ready', done);
      this.redis.once('end', done);
    });
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

/** A Lua script with its SHA-1, run as EVALSHA (EVAL only after `NOSCRIPT`). */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** Prepares a Lua script for {@link RedisCommandRunner.script}. */
export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** The message of an error from any realm (ioredis and Node errors may not share our `Error`). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
