import { createHash } from 'node:crypto';
import { messageOf } from './redis-error.classifier';
import type { WechatRedisClient } from './wechat-redis-client.type';

/** A Lua script with its SHA-1, run as EVALSHA (EVAL only after `NOSCRIPT`). */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** Prepares a Lua script for {@link evalLua}. */
export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Runs a Lua script as EVALSHA, so its text crosses the wire only after Redis answered `NOSCRIPT`
 * (first use, or after a restart or a failover to a replica that never ran it).
 */
export async function evalLua(
  redis: WechatRedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error: unknown) {
    if (!messageOf(error).startsWith('NOSCRIPT')) throw error;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
