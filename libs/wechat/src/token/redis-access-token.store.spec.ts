import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import { RedisAccessTokenStore } from './redis-access-token.store';
import {
  closeTestRedisClients,
  testRedisClient,
} from '../../../../test/support/test-redis-clients';

afterAll(closeTestRedisClients);

const TOKEN = `TOKEN_${randomUUID().replace(/-/g, '')}`;

/** The rejection of `promise`, which must reject. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('RedisAccessTokenStore errors never carry a token', () => {
  const redis = testRedisClient();
  const store = new RedisAccessTokenStore(redis);
  let key: string;
  let lock: string;

  beforeEach(async () => {
    const prefix = `unit:${randomUUID()}:`;
    key = `${prefix}{wx1}:access_token`;
    lock = `${prefix}{wx1}:access_token_lock`;
    // Keys of the wrong type make every command on them fail with a reply error, whose
    // `command.args` (as ioredis attaches them) include the token being written or compared.
    await redis.hset(key, 'f', 'v');
    await redis.hset(lock, 'f', 'v');
  });

  it.each<[string, () => Promise<unknown>]>([
    ['setIfLockOwner', () => store.setIfLockOwner(key, TOKEN, 5000, lock, TOKEN)],
    ['compareAndDelete', () => store.compareAndDelete(key, TOKEN)],
    ['get', () => store.get(key)],
    ['unlock', () => store.unlock(lock, TOKEN)],
    ['extendLock', () => store.extendLock(lock, TOKEN, 5000)],
  ])('%s: the error and its whole cause chain, inspected, hold no token', async (_name, call) => {
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(WechatTokenStoreError);
    expect((error as Error).message).toMatch(/^Redis command failed: .*WRONGTYPE/);
    const cause = (error as Error).cause as Error;
    expect(cause.name).toBe('ReplyError');
    expect(cause.message).toMatch(/WRONGTYPE/);
    const printed = inspect(error, { depth: Infinity, showHidden: true });
    expect(printed).toContain('WRONGTYPE');
    expect(printed).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });
});
