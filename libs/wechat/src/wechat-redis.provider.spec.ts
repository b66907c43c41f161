import { ClusterModule, RedisModule } from '@liaoliaots/nestjs-redis';
import type { DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis, { Cluster } from 'ioredis';
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
    return moduleRef.get<Redis | Cluster | undefined>(WECHAT_REDIS_CLIENT);
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
    expect((named as Redis).options.db).toBe(1);
    const byDefault = await resolveRedis({}, [redisModule]);
    expect((byDefault as Redis).options.db).toBe(0);
  });

  it('{ clientName } without RedisModule registered is a WechatConfigError saying what to import', async () => {
    const error = await bootError({ clientName: 'wechat' });
    expect(error).toBeInstanceOf(WechatConfigError);
    expect((error as Error).message).toBe(
      'Invalid WechatModule configuration: "redis" names the client "wechat", but RedisModule from @liaoliaots/nestjs-redis is not registered: import RedisModule.forRoot(...) (or ClusterModule.forRoot(...)) in the host app.',
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
    expect((error as Error).message).toBe(
      'Invalid WechatModule configuration: "redis" must be an ioredis client or Cluster, or { clientName } of a @liaoliaots/nestjs-redis client.',
    );
  });

  describe('with ClusterModule', () => {
    const clusterModule = () =>
      ClusterModule.forRoot({
        config: [
          { namespace: 'default', nodes: [REDIS_URL], lazyConnect: true },
          { namespace: 'fleet', nodes: [REDIS_URL], lazyConnect: true },
        ],
        readyLog: false,
      });
    const redisModule = () =>
      RedisModule.forRoot({ config: { url: REDIS_URL, lazyConnect: true }, readyLog: false });

    it('a name only ClusterModule registers resolves to its Cluster client', async () => {
      const client = await resolveRedis({ clientName: 'fleet' }, [clusterModule(), redisModule()]);
      expect(client).toBeInstanceOf(Cluster);
    });

    it('a name both register is a WechatConfigError unless kind says which', async () => {
      const error = await bootError({}, [clusterModule(), redisModule()]);
      expect(error).toBeInstanceOf(WechatConfigError);
      expect((error as Error).message).toBe(
        `Invalid WechatModule configuration: "redis" names the client "default", which both RedisModule and ClusterModule register: add kind: 'redis' or kind: 'cluster' to say which.`,
      );
      const cluster = await resolveRedis({ kind: 'cluster' }, [clusterModule(), redisModule()]);
      expect(cluster).toBeInstanceOf(Cluster);
      const standalone = await resolveRedis({ kind: 'redis' }, [clusterModule(), redisModule()]);
      expect(standalone).toBeInstanceOf(Redis);
    });

    it('kind limits the lookup to that module', async () => {
      const error = await bootError({ clientName: 'fleet', kind: 'redis' }, [
        clusterModule(),
        redisModule(),
      ]);
      expect((error as Error).message).toBe(
        'Invalid WechatModule configuration: "redis" names the client "fleet", which @liaoliaots/nestjs-redis RedisModule does not know.',
      );
    });

    it('an unknown kind is a WechatConfigError', async () => {
      const error = await bootError({ kind: 'sentinel' as 'redis' }, [redisModule()]);
      expect((error as Error).message).toBe(
        'Invalid WechatModule configuration: "redis.kind" must be "redis" or "cluster".',
      );
    });
  });
});
