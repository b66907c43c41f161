// Several Official Accounts, in one process (run by run.ts as a script; the memory half with
// --expose-gc):
// - a push's cost with 1 vs 1 000 registered accounts: the guard (account lookup by the path's
//   name, signature) and the push service (parse, de-dup in memory, handler, reply XML), timed
//   in alternating rounds against two apps; the ratio (1 000 / 1) must stay ≥ 0.95, since the
//   lookup is a Map;
// - heap bytes per registered account at 10 000 accounts, for accounts that only receive pushes
//   and for accounts whose API client was also used (every account in safe mode).
import {
  Injectable,
  Module,
  type ExecutionContext,
  type INestApplicationContext,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  OnWechatMessage,
  WechatAccounts,
  WechatModule,
  WechatPushService,
  WechatSignatureGuard,
  type WechatAccountOptions,
  type WechatMessageOfType,
} from '../libs/wechat/src';
import { WechatPushSimulator } from '../libs/wechat/src/testing';
import { callbackAccountOf } from '../libs/wechat/src/webhook/callback-account';
import { verifiedQueryOf } from '../libs/wechat/src/webhook/verified-query';
import { median, serveScript } from './script';

export interface AccountsBenchInput {
  part: 'lookup' | 'memory';
  /** Rounds of the lookup comparison (each: one batch per app). */
  rounds: number;
  /** Pushes per batch. */
  pushes: number;
  /** Accounts of the memory measurement. */
  accounts: number;
}

export interface AccountsLookupResult {
  /** Median pushes/s with 1 account, and with 1 000. */
  oneRps: number;
  manyRps: number;
  manyAccounts: number;
  /** Median of the per-round ratios many / one. */
  ratio: number;
  ratios: number[];
}

export interface AccountsMemoryResult {
  accounts: number;
  /** Heap bytes per account registered (push-only), and once each one's API client was built. */
  bytesPerAccount: number;
  bytesPerAccountWithClient: number;
}

@Injectable()
class EchoHandler {
  @OnWechatMessage('text')
  echo(message: WechatMessageOfType<'text'>): string {
    return message.Content;
  }
}

@Module({ providers: [EchoHandler] })
class EchoModule {}

function account(index: number): WechatAccountOptions {
  const id = index.toString(16).padStart(16, '0');
  return {
    name: `acct${index}`,
    appId: `wx${id}`,
    appSecret: `secret${id}`,
    token: `tok${id}`,
    // Safe mode, as most accounts run: each account holds its own AES contexts.
    encodingAESKey: `${id}${id}${id}`.slice(0, 43),
  };
}

async function appWith(accounts: WechatAccountOptions[]): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(
    {
      module: class AccountsBenchModule {},
      imports: [
        WechatModule.forRoot({ accounts, apiBaseUrl: 'http://127.0.0.1:9', dedupTtlSeconds: 1 }),
        EchoModule,
      ],
    },
    { logger: false },
  );
  await app.init();
  return app;
}

interface PreparedPush {
  readonly url: string;
  readonly body: Buffer;
}

/** One push through the guard and the push service, as the controller runs them. */
async function deliver(
  guard: WechatSignatureGuard,
  pushes: WechatPushService,
  name: string,
  push: PreparedPush,
): Promise<void> {
  const request = { method: 'POST', url: push.url, params: { account: name } };
  const context = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
  const allowed = guard.canActivate(context);
  if (allowed !== true) throw new Error('the guard refused a bench push');
  const answer = await pushes.handle(
    verifiedQueryOf(request) ?? {},
    push.body,
    Date.now(),
    callbackAccountOf(request),
  );
  if (answer.body.length === 0) throw new Error('empty answer');
}

async function lookup(input: AccountsBenchInput): Promise<AccountsLookupResult> {
  const manyAccounts = 1_000;
  const all = Array.from({ length: manyAccounts }, (_, i) => account(i));
  const target = all[manyAccounts / 2];
  const apps = [await appWith([target]), await appWith(all)];
  const sim = new WechatPushSimulator({ token: target.token as string, appId: target.appId });
  const parts = apps.map((app) => ({
    guard: app.get(WechatSignatureGuard, { strict: false }),
    pushes: app.get(WechatPushService, { strict: false }),
    accounts: app.get(WechatAccounts),
  }));
  if (parts[1].accounts.size !== manyAccounts) throw new Error('accounts not registered');
  const batch = (): PreparedPush[] =>
    Array.from({ length: input.pushes }, (_, i) => {
      const signed = sim.sign(sim.text(`bench ${i}`));
      return { url: `/wechat/${target.name}?${signed.search}`, body: Buffer.from(signed.body) };
    });
  const run = async (index: number): Promise<number> => {
    const prepared = batch();
    const { guard, pushes } = parts[index];
    const started = process.hrtime.bigint();
    for (const push of prepared) await deliver(guard, pushes, target.name, push);
    return input.pushes / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  await run(0); // warm-up of both
  await run(1);
  const one: number[] = [];
  const many: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < input.rounds; round += 1) {
    // Alternate the order, so a drift of the machine's speed favours neither.
    const first = round % 2;
    const a = await run(first);
    const b = await run(1 - first);
    const [oneRps, manyRps] = first === 0 ? [a, b] : [b, a];
    one.push(oneRps);
    many.push(manyRps);
    ratios.push(manyRps / oneRps);
  }
  for (const app of apps) await app.close();
  return {
    oneRps: median(one),
    manyRps: median(many),
    manyAccounts,
    ratio: median(ratios),
    ratios,
  };
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i += 1) gc();
  return process.memoryUsage().heapUsed;
}

async function memory(input: AccountsBenchInput): Promise<AccountsMemoryResult> {
  const app = await appWith([account(0)]);
  const accounts = app.get(WechatAccounts);
  const before = heapAfterGc();
  for (let i = 1; i <= input.accounts; i += 1) accounts.register(account(i));
  const registered = heapAfterGc();
  for (let i = 1; i <= input.accounts; i += 1) void accounts.get(`acct${i}`).client;
  const withClients = heapAfterGc();
  await app.close();
  return {
    accounts: input.accounts,
    bytesPerAccount: (registered - before) / input.accounts,
    bytesPerAccountWithClient: (withClients - before) / input.accounts,
  };
}

serveScript<AccountsBenchInput, AccountsLookupResult | AccountsMemoryResult>((input) =>
  input.part === 'lookup' ? lookup(input) : memory(input),
);
