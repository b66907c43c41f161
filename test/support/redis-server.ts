import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/** A private `redis-server` started by the test harness on a free loopback port. */
export interface RedisServerHandle {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s). */
  stop(): Promise<void>;
  /** Starts the server again on the same port after {@link stop}. */
  start(): Promise<void>;
}

export const REDIS_MISSING_MESSAGE =
  'redis-server not found on PATH: install it (Debian/Ubuntu: `apt-get install -y redis-server`, macOS: `brew install redis`) and run the tests again.';

/** Throws a one-line error when `redis-server` is not installed. */
export function assertRedisServerInstalled(): void {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (probe.error) {
    throw new Error(REDIS_MISSING_MESSAGE);
  }
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

async function waitUntilReady(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with code ${child.exitCode} before it was ready`);
    }
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`redis-server on port ${port} was not ready within 10 s`);
}

/** What {@link startRedisServer} may vary. */
export interface RedisServerOptions {
  /** The port; default a free one. */
  port?: number;
  /** More `redis-server` arguments (cluster mode, `--replicaof` …). */
  args?: string[];
  /** Working directory of the server (where cluster mode writes its nodes file). */
  cwd?: string;
}

/** Starts a throw-away redis-server (no persistence) on a free loopback port. */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerHandle> {
  assertRedisServerInstalled();
  const port = options.port ?? (await getFreePort());
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
        ...(options.args ?? []),
      ],
      { stdio: 'ignore', cwd: options.cwd },
    );
    child = proc;
    await waitUntilReady(port, proc);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => proc.kill('SIGKILL'), 2_000);
      proc.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  };

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, start, stop };
}
