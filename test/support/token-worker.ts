// A separate OS process with its own ioredis connection, AccessTokenService and
// WechatClientService, driven over IPC by test/support/token-workers.ts (multi-process tests).
// Run with: node -r ts-node/register/transpile-only -r tsconfig-paths/register test/support/token-worker.ts
import Redis, { Cluster } from 'ioredis';
import {
  AccessTokenService,
  JsapiTicketService,
  LegacyKeysAccessTokenStore,
  RedisAccessTokenStore,
  WechatClientService,
  WechatHttpClient,
  type AccessTokenStore,
  type WechatRedisClient,
} from '@app/wechat';
import { tokenTestOptions, type TokenTestOptions } from './token-options';
import { version01KeyNames } from './version-01-key-names.store';
import type {
  TokenWorkerFailure,
  TokenWorkerOp,
  TokenWorkerRequest,
  TokenWorkerResult,
  TokenWorkerVersion,
} from './token-workers';

let redis: WechatRedisClient | undefined;
let tokens: AccessTokenService | undefined;
let client: WechatClientService | undefined;
let tickets: JsapiTicketService | undefined;

/**
 * A client for `redis://…`, a Cluster for `cluster://host:port,host:port,…`, or a Sentinel-managed
 * primary for `sentinel://host:port,…/<name>`.
 */
function connect(url: string): WechatRedisClient {
  if (url.startsWith('sentinel://')) {
    const [nodes, name] = url.slice('sentinel://'.length).split('/');
    const sentinels = nodes.split(',').map((node) => {
      const [host, port] = node.split(':');
      return { host, port: Number(port) };
    });
    return new Redis({ sentinels, name, maxRetriesPerRequest: 1 });
  }
  if (!url.startsWith('cluster://')) return new Redis(url, { maxRetriesPerRequest: 1 });
  const nodes = url
    .slice('cluster://'.length)
    .split(',')
    .map((node) => {
      const [host, port] = node.split(':');
      return { host, port: Number(port) };
    });
  return new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
}

async function setup(
  options: TokenTestOptions,
  redisUrl: string,
  version: TokenWorkerVersion,
): Promise<void> {
  await redis?.quit().catch(() => undefined);
  const connection = connect(redisUrl);
  connection.on('error', () => undefined);
  redis = connection;
  if (connection.status !== 'ready') {
    await new Promise<void>((resolve) => connection.once('ready', () => resolve()));
  }
  const resolved = tokenTestOptions(options);
  const http = new WechatHttpClient(resolved);
  const store: AccessTokenStore = new RedisAccessTokenStore(connection, {
    storeWaitMs: resolved.storeWaitMs,
  });
  // As the module builds it (legacyKeys on by default), or as the previous version ran.
  tokens = new AccessTokenService(
    resolved,
    version === '0.1'
      ? version01KeyNames(store)
      : resolved.legacyKeys
        ? new LegacyKeysAccessTokenStore(store)
        : store,
    http,
  );
  client = new WechatClientService(tokens, http, resolved);
  tickets = new JsapiTicketService(resolved, store, http, tokens);
}

async function run(op: TokenWorkerOp, count: number): Promise<TokenWorkerResult> {
  if (!tokens || !client || !tickets) throw new Error('run before setup');
  const ticketService = tickets;
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
        } else if (op === 'jsapi') {
          values.push(await ticketService.getTicket());
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
        return setup(message.options, message.redisUrl, message.version ?? 'current');
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
