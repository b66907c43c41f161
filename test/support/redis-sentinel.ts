import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort, startRedisServer, type RedisServerHandle } from './redis-server';

/** A private Sentinel setup on loopback: one primary, one replica, one sentinel. */
export interface RedisSentinelHandle {
  /** The master name the sentinel monitors. */
  readonly name: string;
  readonly primary: RedisServerHandle;
  readonly replica: RedisServerHandle;
  /** `{ host, port }` of the sentinel, as ioredis's `sentinels` option takes them. */
  readonly sentinels: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

/**
 * Starts a primary, a replica of it and a sentinel that fails over after 1 s without the primary
 * (`down-after-milliseconds 1000`), then waits until the sentinel sees the replica.
 */
export async function startRedisSentinel(name = 'mymaster'): Promise<RedisSentinelHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'wechat-sentinel-'));
  // In the temporary directory: a replica's full sync writes dump.rdb to its working directory.
  const primary = await startRedisServer({ cwd: dir });
  const replica = await startRedisServer({
    args: ['--replicaof', '127.0.0.1', String(primary.port)],
    cwd: dir,
  });
  const port = await getFreePort();
  const config = join(dir, 'sentinel.conf');
  await writeFile(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primary.port} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  );
  const sentinel: ChildProcess = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    if (sentinel.exitCode === null) {
      await new Promise<void>((resolve) => {
        sentinel.once('exit', () => resolve());
        sentinel.kill('SIGKILL');
      });
    }
    await Promise.all([primary.stop(), replica.stop()]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { default: Redis } = await import('ioredis');
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    probe.on('error', () => undefined);
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if (probe.status !== 'ready') await probe.connect();
        const replicas = (await probe.call('SENTINEL', 'REPLICAS', name)) as unknown[];
        if (replicas.length > 0) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error('the sentinel did not see the replica in 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    probe.disconnect();
  } catch (error: unknown) {
    await stop();
    throw error;
  }
  return { name, primary, replica, sentinels: [{ host: '127.0.0.1', port }], stop };
}
