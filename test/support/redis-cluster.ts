import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRedisServer, type RedisServerHandle } from './redis-server';

const run = promisify(execFile);

/** A private Redis Cluster of masters on loopback, started and stopped by the test harness. */
export interface RedisClusterHandle {
  /** The masters, in the order of their slot ranges (0…16383). */
  readonly nodes: readonly RedisServerHandle[];
  /** `{ host, port }` of every master, as ioredis's `Cluster` takes them. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Runs `redis-cli -p <port> <args…>` against one node and returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

/**
 * Starts `masters` cluster-enabled redis-servers (no replicas, no persistence) and joins them
 * with `redis-cli --cluster create`, then waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'wechat-cluster-'));
  const taken = new Set<number>();
  const nodes: RedisServerHandle[] = [];
  const cli = async (port: number, ...args: string[]): Promise<string> =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout;
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freeClusterPort(taken);
      nodes.push(
        await startRedisServer({
          port,
          cwd: dir,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + 20_000;
    for (const node of nodes) {
      while (!(await cli(node.port, 'cluster', 'info')).includes('cluster_state:ok')) {
        if (Date.now() > deadline)
          throw new Error('the Redis Cluster did not become ready in 20 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error: unknown) {
    await stop();
    throw error;
  }
  return {
    nodes,
    startupNodes: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    cli,
    stop,
  };
}
