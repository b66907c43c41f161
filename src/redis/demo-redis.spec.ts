import { demoWechatRedis, readDemoRedis } from './demo-redis';

describe('readDemoRedis (the demo contract: REDIS_CLUSTER_NODES, REDIS_SENTINELS, REDIS_URL)', () => {
  it('REDIS_CLUSTER_NODES → an ioredis Cluster over those nodes (wins over the others)', () => {
    const redis = readDemoRedis({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001',
      REDIS_SENTINELS: '10.0.0.9:26379',
      REDIS_URL: 'redis://10.0.0.8:6379',
    });
    expect(redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    expect(demoWechatRedis(redis)).toEqual({ clientName: 'default', kind: 'cluster' });
  });

  it('REDIS_SENTINELS → a Sentinel-managed client, REDIS_SENTINEL_NAME defaulting to mymaster', () => {
    expect(readDemoRedis({ REDIS_SENTINELS: 'sentinel-a:26379,sentinel-b:26380' })).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: 'sentinel-b', port: 26380 },
      ],
      name: 'mymaster',
    });
    const named = readDemoRedis({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'wechat' });
    expect(named).toMatchObject({ kind: 'sentinel', name: 'wechat' });
    expect(demoWechatRedis(named)).toEqual({ clientName: 'default', kind: 'redis' });
  });

  it('REDIS_URL as before; nothing → in memory', () => {
    expect(readDemoRedis({ REDIS_URL: 'redis://127.0.0.1:6390' })).toEqual({
      kind: 'url',
      url: 'redis://127.0.0.1:6390',
    });
    expect(readDemoRedis({})).toEqual({ kind: 'none' });
    expect(demoWechatRedis({ kind: 'none' })).toBeUndefined();
  });

  it.each(['10.0.0.1', '10.0.0.1:', ':7000', '10.0.0.1:70000', 'a:1,,b:2'])(
    'refuses REDIS_CLUSTER_NODES=%s with a message naming the variable',
    (value) => {
      expect(() => readDemoRedis({ REDIS_CLUSTER_NODES: value })).toThrow(
        /^REDIS_CLUSTER_NODES must be a comma-separated list of host:port \(got "/,
      );
    },
  );
});
