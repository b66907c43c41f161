import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TokenTestOptions } from './token-options';

/** What a worker reports after a `run`. */
export interface TokenWorkerResult {
  pid: number;
  /** Tokens (`token` op) or msgIds (`send` op) obtained, one per successful call. */
  values: string[];
  /** `Name: message` of every failed call. */
  errors: string[];
  /** The type of every failed call's error: class name, `code`, and `errcode` / `path` if any. */
  failures: TokenWorkerFailure[];
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms when the last call settled. */
  finishedAt: number;
}

/** What a worker reports of one failed call's error. */
export interface TokenWorkerFailure {
  name: string;
  code?: string;
  errcode?: number;
  path?: string;
}

/**
 * Which version a worker behaves as in Redis: this one, or 0.1 (the previous key names, for the
 * rolling-deploy tests).
 */
export type TokenWorkerVersion = 'current' | '0.1';

/** What a worker's `run` calls: getAccessToken, sendTemplateMessage or JsapiTicketService.getTicket. */
export type TokenWorkerOp = 'token' | 'send' | 'jsapi';

/** IPC request to a worker. */
export type TokenWorkerRequest = { id: number } & (
  | { type: 'setup'; options: TokenTestOptions; redisUrl: string; version?: TokenWorkerVersion }
  | { type: 'run'; op: TokenWorkerOp; count: number }
  | { type: 'exit' }
);

type TokenWorkerCommand = TokenWorkerRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

interface TokenWorkerReply {
  id: number;
  result?: unknown;
  error?: string;
}

/** A child process running test/support/token-worker.ts. */
export interface TokenWorker {
  readonly pid: number;
  /** Everything the worker wrote to stdout and stderr so far. */
  output(): string;
  /**
   * (Re)creates its Redis connection (`redis://…`, or `cluster://host:port,…` for a Cluster) and
   * services with these options; resolves when ready.
   */
  setup(options: TokenTestOptions, redisUrl: string, version?: TokenWorkerVersion): Promise<void>;
  /** Runs `count` concurrent `getAccessToken()` (`token`) or `sendTemplateMessage()` (`send`). */
  run(op: TokenWorkerOp, count: number): Promise<TokenWorkerResult>;
  /** Kills the process with a signal and waits for its exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Asks the process to exit (closing its Redis connection) and waits for it. */
  stop(): Promise<void>;
}

const WORKER_PATH = join(__dirname, 'token-worker.ts');

class ForkedTokenWorker implements TokenWorker {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private captured = '';
  private readonly exited: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.captured += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.captured += chunk.toString()));
    child.on('message', (reply: TokenWorkerReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.error !== undefined) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.result);
    });
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        for (const waiter of this.pending.values()) waiter.reject(new Error('worker exited'));
        this.pending.clear();
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  output(): string {
    return this.captured;
  }

  started(): Promise<unknown> {
    return this.waitFor(0);
  }

  async setup(
    options: TokenTestOptions,
    redisUrl: string,
    version: TokenWorkerVersion = 'current',
  ): Promise<void> {
    await this.request({ type: 'setup', options, redisUrl, version });
  }

  async run(op: TokenWorkerOp, count: number): Promise<TokenWorkerResult> {
    return (await this.request({ type: 'run', op, count })) as TokenWorkerResult;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.request({ type: 'exit' }).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  private request(command: TokenWorkerCommand): Promise<unknown> {
    const id = this.nextId++;
    const result = this.waitFor(id);
    this.child.send({ ...command, id });
    return result;
  }

  private waitFor(id: number): Promise<unknown> {
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
}

/** Forks `count` token workers (TypeScript through ts-node, transpile-only) and waits until they run. */
export async function startTokenWorkers(count: number): Promise<TokenWorker[]> {
  const workers = Array.from({ length: count }, () => {
    const child = fork(WORKER_PATH, [], {
      execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.json') },
    });
    return new ForkedTokenWorker(child);
  });
  await Promise.all(workers.map((worker) => worker.started()));
  return workers;
}
