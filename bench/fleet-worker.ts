// One instance of the fleet benchmark: its own process, ioredis connection, AccessTokenService and
// WechatClientService (built as the module builds them, from resolveWechatOptions). Driven over IPC
// by bench/fleet.ts: `setup` (fresh services, so the in-process token cache is cold), then `go`.
import Redis from 'ioredis';
import {
  AccessTokenService,
  RedisAccessTokenStore,
  WechatClientService,
  WechatHttpClient,
  resolveWechatOptions,
} from '../libs/wechat/src';

export interface FleetSetup {
  redisUrl: string;
  apiBaseUrl: string;
  appId: string;
  appSecret: string;
  keyPrefix: string;
}

export interface FleetRunResult {
  pid: number;
  ok: number;
  errors: string[];
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms when the last call succeeded or failed. */
  finishedAt: number;
}

export type FleetMessage =
  { type: 'setup'; setup: FleetSetup } | { type: 'go'; calls: number } | { type: 'exit' };

let redis: Redis | undefined;
let client: WechatClientService | undefined;

async function setup(options: FleetSetup): Promise<void> {
  if (!redis) {
    redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
  }
  const resolved = resolveWechatOptions(
    {
      appId: options.appId,
      appSecret: options.appSecret,
      apiBaseUrl: options.apiBaseUrl,
      keyPrefix: options.keyPrefix,
    },
    false,
  );
  const http = new WechatHttpClient(resolved);
  const tokens = new AccessTokenService(resolved, new RedisAccessTokenStore(redis), http);
  client = new WechatClientService(tokens, http, resolved);
  await redis.ping();
}

async function go(calls: number): Promise<FleetRunResult> {
  const api = client;
  if (!api) throw new Error('go before setup');
  const startedAt = Date.now();
  let ok = 0;
  const errors: string[] = [];
  await Promise.all(
    Array.from({ length: calls }, async (_, index) => {
      try {
        await api.sendTemplateMessage({
          touser: 'oBenchFleetUser01',
          template_id: 'TPL_bench',
          data: { first: { value: `bench ${process.pid}/${index}` } },
        });
        ok += 1;
      } catch (error: unknown) {
        errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
    }),
  );
  return { pid: process.pid, ok, errors, startedAt, finishedAt: Date.now() };
}

process.on('message', (message: FleetMessage) => {
  const work = async (): Promise<unknown> => {
    if (message.type === 'setup') return setup(message.setup);
    if (message.type === 'go') return go(message.calls);
    await redis?.quit().catch(() => undefined);
    process.exit(0);
  };
  work().then(
    (result) => process.send?.({ type: 'done', result: result ?? null }),
    (error: unknown) =>
      process.send?.({
        type: 'failed',
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});

process.send?.({ type: 'started' });
