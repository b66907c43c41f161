// A separate OS process with its own ioredis connection, AccessTokenService and
// WechatClientService, driven over IPC by test/support/token-workers.ts (multi-process tests).
// Run with: node -r ts-node/register/transpile-only -r tsconfig-paths/register test/support/token-worker.ts
import Redis from 'ioredis';
import {
  AccessTokenService,
  RedisAccessTokenStore,
  WechatClientService,
  WechatHttpClient,
} from '@app/wechat';
import { tokenTestOptions, type TokenTestOptions } from './token-options';
import type { TokenWorkerFailure, TokenWorkerRequest, TokenWorkerResult } from './token-workers';

let redis: Redis | undefined;
let tokens: AccessTokenService | undefined;
let client: WechatClientService | undefined;

async function setup(options: TokenTestOptions, redisUrl: string): Promise<void> {
  await redis?.quit().catch(() => undefined);
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  redis = connection;
  if (connection.status !== 'ready') {
    await new Promise<void>((resolve) => connection.once('ready', () => resolve()));
  }
  const resolved = tokenTestOptions(options);
  const http = new WechatHttpClient(resolved);
  tokens = new AccessTokenService(resolved, new RedisAccessTokenStore(connection), http);
  client = new WechatClientService(tokens, http, resolved);
}

async function run(op: 'token' | 'send', count: number): Promise<TokenWorkerResult> {
  if (!tokens || !client) throw new Error('run before setup');
  const startedAt = Date.now();
  const values: string[] = [];
  const errors: string[] = [];
  const failures: TokenWorkerFailure[] = [];
  const service = tokens;
  const api = client;
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      try {
        if (op === 'token') {
          values.push(await service.getAccessToken());
        } else {
          const { msgId } = await api.sendTemplateMessage({
            touser: 'oWorkerUser0001',
            template_id: 'TPL_worker',
            data: { first: { value: `message ${process.pid}/${index}` } },
          });
          values.push(msgId);
        }
      } catch (error: unknown) {
        errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        failures.push(failureOf(error));
      }
    }),
  );
  return { pid: process.pid, values, errors, failures, startedAt, finishedAt: Date.now() };
}

/** The type of an error: class name, `code`, and `errcode` / `path` when it has them. */
function failureOf(error: unknown): TokenWorkerFailure {
  if (!(error instanceof Error)) return { name: typeof error };
  const { code, errcode, path } = error as { code?: unknown; errcode?: unknown; path?: unknown };
  const failure: TokenWorkerFailure = { name: error.name };
  if (typeof code === 'string') failure.code = code;
  if (typeof errcode === 'number') failure.errcode = errcode;
  if (typeof path === 'string') failure.path = path;
  return failure;
}

process.on('message', (message: TokenWorkerRequest) => {
  const reply = (payload: Record<string, unknown>): void => {
    process.send?.({ id: message.id, ...payload });
  };
  const work = async (): Promise<unknown> => {
    switch (message.type) {
      case 'setup':
        return setup(message.options, message.redisUrl);
      case 'run':
        return run(message.op, message.count);
      case 'exit':
        await redis?.quit().catch(() => undefined);
        reply({ result: null });
        process.exit(0);
    }
  };
  work().then(
    (result) => reply({ result: result ?? null }),
    (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
  );
});

process.send?.({ id: 0, result: 'started' });
