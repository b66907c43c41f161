// One instance of a multi-account host app as its own OS process, for the fleet tests of several
// Official Accounts: node -r ts-node/register/transpile-only -r tsconfig-paths/register
// test/support/accounts-instance.ts, configured by ACCOUNTS_INSTANCE (JSON). Prints one line
// {"url": ...} when it listens.
//
// The host keeps its accounts in "its database" (here a Redis hash, like a SaaS app's table):
// POST /host/accounts stores one and registers it in this process; the other instances find it
// through the module's resolveAccount loader, which reads the same table.
import { Body, Controller, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import {
  OnWechatMessage,
  WechatAccounts,
  WechatModule,
  type WechatAccountOptions,
  type WechatContext,
  type WechatMessageOfType,
} from '@app/wechat';

/** What the parent passes in ACCOUNTS_INSTANCE. */
export interface AccountsInstanceConfig {
  redisUrl: string;
  keyPrefix: string;
  apiBaseUrl: string;
  accounts: WechatAccountOptions[];
}

/** What POST /host/run answers. */
export interface AccountsRunResult {
  values: string[];
  failures: string[];
}

const config = JSON.parse(process.env.ACCOUNTS_INSTANCE ?? '{}') as AccountsInstanceConfig;
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
redis.on('error', () => undefined);
const tableKey = `${config.keyPrefix}host:accounts`;

@Injectable()
class EchoHandlers {
  @OnWechatMessage('text')
  text(message: WechatMessageOfType<'text'>, context: WechatContext): string {
    return `${context.account}:${context.appId}:${message.Content}`;
  }
}

@Controller('host')
class HostController {
  constructor(private readonly accounts: WechatAccounts) {}

  /** Stores an account in the host's table and registers it here. */
  @Post('accounts')
  async add(@Body() account: WechatAccountOptions): Promise<{ name: string }> {
    await redis.hset(tableKey, account.name, JSON.stringify(account));
    return { name: this.accounts.register(account).name };
  }

  /** `count` concurrent template messages (`send`) or getAccessToken() (`token`) on one account. */
  @Post('run')
  async run(
    @Body() body: { account: string; op: 'send' | 'token'; count: number },
  ): Promise<AccountsRunResult> {
    const account = this.accounts.get(body.account);
    const values: string[] = [];
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: body.count }, async (_, index) => {
        try {
          if (body.op === 'token') {
            values.push(await account.tokens.getAccessToken());
          } else {
            const { msgId } = await account.client.sendTemplateMessage({
              touser: 'oFleetUser0001',
              template_id: 'TPL_fleet',
              data: { first: { value: `${body.account} ${process.pid}/${index}` } },
            });
            values.push(msgId);
          }
        } catch (error: unknown) {
          const errcode = (error as { errcode?: unknown }).errcode;
          failures.push(`${error instanceof Error ? error.name : 'unknown'} ${String(errcode)}`);
        }
      }),
    );
    return { values, failures };
  }
}

@Module({ providers: [EchoHandlers], controllers: [HostController] })
class HostModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(
    {
      module: class AccountsInstanceModule {},
      imports: [
        WechatModule.forRoot({
          accounts: config.accounts,
          apiBaseUrl: config.apiBaseUrl,
          keyPrefix: config.keyPrefix,
          redis,
          isGlobal: true,
          resolveAccount: async (name) => {
            const stored = await redis.hget(tableKey, name);
            return stored ? (JSON.parse(stored) as WechatAccountOptions) : undefined;
          },
        }),
        HostModule,
      ],
    },
    { logger: ['error'] },
  );
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  process.stdout.write(
    `${JSON.stringify({ url: (await app.getUrl()).replace('[::1]', '127.0.0.1') })}\n`,
  );
  process.once('exit', () => redis.disconnect());
}

void main();
