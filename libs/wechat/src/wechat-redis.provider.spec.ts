import { RedisModule } from '@liaoliaots/nestjs-redis';
import type { DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { WechatConfigError } from './errors/wechat-config.error';
import type { WechatModuleOptions } from './interfaces/wechat-module-options.interface';
import { WECHAT_REDIS_CLIENT } from './wechat.constants';
import { WechatModule } from './wechat.module';

const REDIS_URL = process.env.WECHAT_TEST_REDIS_URL as string;
const BASE: WechatModuleOptions = { appId: 'wx1234567890abcdef', appSecret: 'app-secret' };

async function resolveRedis(redis: WechatModuleOptions['redis'], imports: DynamicModule[] = []) {
  const moduleRef = await Test.createTestingModule({
    imports: [...imports, WechatModule.forRoot({ ...BASE, redis, path: false })],
  }).compile();
  try {
    return moduleRef.get<Redis | undefined>(WECHAT_REDIS_CLIENT);
  } finally {
    await moduleRef.close();
  }
}

async function bootError(redis: WechatModuleOptions['redis'], imports: DynamicModule[] = []) {
  try {
    await resolveRedis(redis, imports);
  } catch (error: unknown) {
    return error;
  }
  throw new Error('the module booted');
}

describe('the "redis" option', () => {
  it('absent: in-memory mode, no client', async () => {
    expect(await resolveRedis(undefined)).toBeUndefined();
  });

  it('an ioredis client is used as it is', async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true });
    try {
      expect(await resolveRedis(client)).toBe(client);
    } finally {
      client.disconnect();
    }
  });

  it('{ clientName } resolves the named client of @liaoliaots/nestjs-redis', async () => {
    const redisModule = RedisModule.forRoot({
      config: [
        { namespace: 'default', url: REDIS_URL, lazyConnect: true },
        { namespace: 'wechat', url: REDIS_URL, lazyConnect: true, db: 1 },
      ],
      readyLog: false,
    });
    const named = await resolveRedis({ clientName: 'wechat' }, [redisModule]);
    expect(named?.options.db).toBe(1);
    const byDefault = await resolveRedis({}, [redisModule]);
    expect(byDefault?.options.db).toBe(0);
  });

  it('{ clientName } without RedisModule registered is a WechatConfigError saying what to import', async () => {
    const error = await bootError({ clientName: 'wechat' });
    expect(error).toBeInstanceOf(WechatConfigError);
    expect((error as Error).message).toBe(
      'Invalid WechatModule configuration: "redis" names the client "wechat", but RedisModule from @liaoliaots/nestjs-redis is not registered: import RedisModule.forRoot(...) in the host app.',
    );
  });

  it('{ clientName } of an unknown client is a WechatConfigError naming it', async () => {
    const redisModule = RedisModule.forRoot({
      config: { url: REDIS_URL, lazyConnect: true },
      readyLog: false,
    });
    const error = await bootError({ clientName: 'other' }, [redisModule]);
    expect(error).toBeInstanceOf(WechatConfigError);
    expect((error as Error).message).toBe(
      'Invalid WechatModule configuration: "redis" names the client "other", which @liaoliaots/nestjs-redis does not know.',
    );
  });

  it('anything else is a WechatConfigError', async () => {
    const error = await bootError('redis://localhost' as unknown as WechatModuleOptions['redis']);
    expect(error).toBeInstanceOf(WechatConfigError);
    expect((error as Error).message).toContain(
      '"redis" must be an ioredis client or { clientName }',
    );
  });
});
