import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ENV_VARIABLES } from '../../src/config/wechat-env.table';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'main.ts');
const LISTENING = /Demo app listening on http:\/\/localhost:(\d+)/;

/** The demo's entry point (`src/main.ts`, what `npm start` runs) as its own OS process. */
export interface DemoProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with `http://127.0.0.1:<port>` once it listens; rejects if it exits first. */
  listening(): Promise<string>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `src/main.ts` through ts-node (transpile-only) in `cwd`, with `env` and none of the
 * demo's variables from this process's environment (so a developer's shell cannot change the
 * outcome); `.env` is then read from `cwd`, as `npm start` reads it from the working directory.
 */
export function startDemoProcess(cwd: string, env: Record<string, string> = {}): DemoProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !ENV_VARIABLES.includes(name)),
  );
  const child = spawn(
    process.execPath,
    [
      // Resolved here: the process runs in another directory, without node_modules.
      ...['-r', require.resolve('ts-node/register/transpile-only')],
      ...['-r', require.resolve('tsconfig-paths/register')],
      MAIN,
    ],
    {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inherited,
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        NO_COLOR: '1',
        PORT: '0',
        ...env,
      },
    },
  );
  let output = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const notify of waiters) notify();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const listening = () =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const port = LISTENING.exec(output)?.[1];
        if (port === undefined) return;
        waiters.delete(check);
        resolve(`http://127.0.0.1:${port}`);
      };
      waiters.add(check);
      check();
      void exited.then((code) =>
        reject(new Error(`the demo exited with ${String(code)} before listening:\n${output}`)),
      );
    });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  return { child, exited, output: () => output, listening, stop };
}
