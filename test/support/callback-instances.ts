import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AccountsInstanceConfig } from './accounts-instance';
import type { CallbackInstanceConfig } from './callback-instance';

const ROOT = join(__dirname, '..', '..');
const ENTRY = join(__dirname, 'callback-instance.ts');

/** A callback instance running as a separate OS process. */
export interface CallbackInstance {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts one callback instance process and waits until it listens. */
export function startCallbackInstance(config: CallbackInstanceConfig): Promise<CallbackInstance> {
  return startAppProcess(ENTRY, 'CALLBACK_INSTANCE', config);
}

/** Starts one multi-account host app process (test/support/accounts-instance.ts). */
export function startAccountsInstance(config: AccountsInstanceConfig): Promise<CallbackInstance> {
  return startAppProcess(join(__dirname, 'accounts-instance.ts'), 'ACCOUNTS_INSTANCE', config);
}

/** Starts `entry` with its JSON configuration in the environment variable `envName`. */
async function startAppProcess(
  entry: string,
  envName: string,
  config: object,
): Promise<CallbackInstance> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', entry],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        [envName]: JSON.stringify(config),
      },
    },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(
      () => reject(new Error('callback instance did not start in 30 s')),
      30_000,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then((code) => reject(new Error(`callback instance exited with ${code}`)));
  });
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  return { url, child, exited, stop };
}
