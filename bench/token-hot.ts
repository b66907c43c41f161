// Token hot path, in one process: getAccessToken() with the token already cached in-process,
// through the real module (WechatModule.forRoot with an ioredis client, no callback endpoint).
// Redis round trips are counted from the server's own INFO commandstats, read over a second
// connection before and after (the INFO calls themselves are left out).
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { AccessTokenService, WechatModule } from '../libs/wechat/src';
import { median, serveScript } from './script';

export interface TokenHotInput {
  redisUrl: string;
  apiBaseUrl: string;
  appId: string;
  appSecret: string;
  calls: number;
  rounds: number;
}

export interface TokenHotResult {
  callsPerSecond: number;
  rounds: number[];
  totalCalls: number;
  redisCommands: number;
  redisCommandsPerCall: number;
}

async function commandCount(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match && match[1] !== 'info') total += Number(match[2]);
  }
  return total;
}

async function run(input: TokenHotInput): Promise<TokenHotResult> {
  const redis = new Redis(input.redisUrl, { maxRetriesPerRequest: 1 });
  const observer = new Redis(input.redisUrl, { maxRetriesPerRequest: 1 });
  const app = await NestFactory.createApplicationContext(
    WechatModule.forRoot({
      appId: input.appId,
      appSecret: input.appSecret,
      apiBaseUrl: input.apiBaseUrl,
      redis,
      keyPrefix: `bench-hot-${process.pid}:`,
      path: false,
    }),
    { logger: ['error', 'warn'] },
  );
  try {
    const tokens = app.get(AccessTokenService);
    const first = await tokens.getAccessToken(); // cold: cache, lock, fetch, publish
    // Warm-up (JIT) outside the counted window.
    for (let i = 0; i < 200_000; i += 1) await tokens.getAccessToken();
    const before = await commandCount(observer);
    const rates: number[] = [];
    for (let round = 0; round < input.rounds; round += 1) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < input.calls; i += 1) {
        const token = await tokens.getAccessToken();
        if (token !== first) throw new Error('the cached token changed during the run');
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      rates.push(input.calls / seconds);
    }
    const redisCommands = (await commandCount(observer)) - before;
    const totalCalls = input.calls * input.rounds;
    return {
      callsPerSecond: median(rates),
      rounds: rates,
      totalCalls,
      redisCommands,
      redisCommandsPerCall: redisCommands / totalCalls,
    };
  } finally {
    await app.close();
    await redis.quit().catch(() => undefined);
    await observer.quit().catch(() => undefined);
  }
}

serveScript(run);
