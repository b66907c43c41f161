import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { MenuInstanceConfig } from './menu-instance';

const ENTRY = join(__dirname, 'menu-instance.ts');

/** What one instance logged while it started. */
export interface MenuInstanceRun {
  pid: number;
  output: string;
}

function waitFor(child: ChildProcess, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`menu instance exited with ${code}`)));
  });
}

/**
 * Forks `count` host app processes, waits until each has loaded its code, then tells them all
 * at once to start with `config`; resolves with what each logged once all have started and exited.
 */
export async function startMenuInstancesTogether(
  count: number,
  config: MenuInstanceConfig,
): Promise<MenuInstanceRun[]> {
  const children = Array.from({ length: count }, () =>
    fork(ENTRY, [], {
      execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.json') },
    }),
  );
  const outputs = children.map(() => ({ text: '' }));
  children.forEach((child, index) => {
    child.stdout?.on('data', (chunk: Buffer) => (outputs[index].text += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (outputs[index].text += chunk.toString()));
  });
  try {
    await Promise.all(children.map((child) => waitFor(child, 'loaded')));
    const started = children.map((child) => waitFor(child, 'started'));
    for (const child of children) child.send({ type: 'go', config });
    await Promise.all(started);
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) =>
            child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
          ),
      ),
    );
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
  return children.map((child, index) => ({ pid: child.pid ?? -1, output: outputs[index].text }));
}
