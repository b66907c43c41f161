import type { Redis } from 'ioredis';
import { WechatTokenStoreError } from '../errors/wechat-token.error';

/** ioredis statuses in which a command is sent, or queued only until the first connection. */
const STARTING_STATUSES: ReadonlySet<string> = new Set(['wait', 'connecting', 'connect']);

/**
 * Runs the library's Redis commands so that Redis never holds up a push or an API call: before the
 * client's first connection a command may wait for it; once the client has been ready, a command
 * issued while it is down is refused at once (no offline queue); every command is bounded by
 * `timeoutMs`. Failures are {@link WechatTokenStoreError}s, which callers turn into their
 * in-process fallback.
 */
export class RedisCommandRunner {
  private seenReady = false;

  constructor(
    private readonly redis: Redis,
    private readonly timeoutMs: number,
  ) {}

  /** Runs one command (or script call) under the rules above. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    const status = this.redis.status;
    if (status === 'ready') {
      this.seenReady = true;
    } else if (this.seenReady || !STARTING_STATUSES.has(status)) {
      throw new WechatTokenStoreError(`Redis is not available (connection status "${status}").`);
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
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The message of an error from any realm (ioredis and Node errors may not share our `Error`). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
