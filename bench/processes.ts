// Child processes of the bench: the server under test and the helper scripts, all run from the
// compiled JS next to this file.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BenchServerConfig } from './bench-app.module';
import { pinProcess } from './cpu-affinity';
import type { BenchAdapter } from './server';

/** The running server under test. */
export interface ServerProcess {
  readonly url: string;
  readonly adapter: BenchAdapter;
  readonly pid: number;
  /** Asks it to close, waits for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Its Prometheus text (empty unless started with `otel`). */
  metrics(): Promise<string>;
}

/** Waits for a child's exit, killing it after `ms`. */
export function exitOf(child: ChildProcess, ms = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Forks a compiled bench script (a sibling of this file) with an IPC channel. */
export function forkScript(
  name: string,
  options: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {},
): ChildProcess {
  return fork(join(__dirname, `${name}.js`), [], {
    execArgv: options.execArgv ?? [],
    env: { ...process.env, ...options.env },
    // The child's stdout goes to our stderr: stdout carries only the markdown report.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
}

/**
 * Starts bench/server.ts on a free loopback port; resolves once it listens. With `cpus` (a
 * taskset CPU list) every thread of the server runs on those CPUs only, from its start.
 */
export async function startServer(
  adapter: BenchAdapter,
  config: BenchServerConfig,
  options: { cpuProfileDir?: string; otel?: boolean; cpus?: string } = {},
): Promise<ServerProcess> {
  const execArgv = ['--expose-gc'];
  if (options.cpuProfileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  const child = forkScript('server', {
    execArgv,
    env: {
      BENCH_ADAPTER: adapter,
      BENCH_SERVER_CONFIG: JSON.stringify(config),
      BENCH_OTEL: options.otel ? '1' : '0',
    },
  });
  if (options.cpus !== undefined && child.pid !== undefined) {
    try {
      pinProcess(child.pid, options.cpus);
    } catch (error: unknown) {
      child.kill('SIGKILL');
      throw error;
    }
  }
  const url = await new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`the ${adapter} server exited with code ${code} before listening`));
    child.once('exit', onExit);
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message?.type === 'ready' && typeof message.url === 'string') {
        child.off('exit', onExit);
        resolve(message.url);
      }
    });
  });
  return {
    url,
    adapter,
    pid: child.pid ?? -1,
    metrics: () =>
      new Promise<string>((resolve) => {
        const onMessage = (message: { type?: string; metrics?: string }): void => {
          if (message?.type !== 'metrics') return;
          child.off('message', onMessage);
          resolve(message.metrics ?? '');
        };
        child.on('message', onMessage);
        child.send({ type: 'metrics' });
      }),
    stop: async () => {
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      await exitOf(child);
    },
  };
}

/** Runs a compiled one-shot script that answers a single `{ type: 'result', result }` message. */
export async function runScript<T>(
  name: string,
  input: unknown,
  options: { execArgv?: string[] } = {},
): Promise<T> {
  const child = forkScript(name, { execArgv: options.execArgv });
  try {
    return await new Promise<T>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${name} exited with code ${code}`)));
      child.on('message', (message: { type?: string; result?: T; error?: string }) => {
        if (message?.type === 'result') resolve(message.result as T);
        if (message?.type === 'error') reject(new Error(message.error));
      });
      child.send({ type: 'start', input });
    });
  } finally {
    child.kill('SIGTERM');
    await exitOf(child);
  }
}
