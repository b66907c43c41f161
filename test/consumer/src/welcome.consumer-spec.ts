// The consumer test's own spec (node:test), compiled by this app's strict tsc and run against the
// installed tarball: once with ioredis + @liaoliaots/nestjs-redis installed and REDIS_URL set, once
// in a folder where neither package is installed (in-memory mode).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleLogger, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WechatConfigError, WechatModule } from 'nestjs-wechat-oa';
import { WechatPushSimulator } from 'nestjs-wechat-oa/testing';
import { replyToSubscribe } from './testing.example';

const withRedis = process.env.REDIS_URL !== undefined;

/** Keeps every line the app logs, so the spec can look for the module's warnings. */
class RecordingLogger extends ConsoleLogger {
  readonly lines: string[] = [];
  override log(message: unknown, ...rest: unknown[]): void {
    this.lines.push(String(message));
    super.log(message, ...(rest as [string]));
  }
  override warn(message: unknown, ...rest: unknown[]): void {
    this.lines.push(String(message));
    super.warn(message, ...(rest as [string]));
  }
}

async function startApp(logger: RecordingLogger): Promise<INestApplication> {
  const { AppModule } = withRedis
    ? await import('./app.module')
    : await import('./app-memory.module');
  const app = await NestFactory.create(AppModule, { logger, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

test(`a safe-mode subscribe is answered by the handler, once (${withRedis ? 'Redis' : 'in-memory'})`, async () => {
  if (!withRedis) {
    assert.throws(() => require.resolve('ioredis'), /Cannot find module/);
    assert.throws(() => require.resolve('@liaoliaots/nestjs-redis'), /Cannot find module/);
  }
  const logger = new RecordingLogger();
  const app = await startApp(logger);
  try {
    const sim = WechatPushSimulator.fromApp(app, { openId: 'o_consumer_user' });
    const url = `${await app.getUrl()}/wechat`;
    const push = sim.event('subscribe');

    const first = await sim.deliver(url, push, 'safe');
    assert.equal(first.status, 200);
    assert.equal(first.reply?.encrypted, true);
    assert.equal(first.reply?.fields.MsgType, 'text');
    assert.equal(first.reply?.fields.Content, 'Welcome, o_consumer_user! (safe mode)');

    const retry = await sim.deliver(url, push, 'safe');
    assert.equal(retry.status, 200);
    assert.equal(retry.reply?.fields.Content, 'Welcome, o_consumer_user! (safe mode)');
    // WeChat's retry got the recorded answer: the handler ran once.
    assert.equal(logger.lines.filter((line) => line === 'A new follower was welcomed').length, 1);

    // The README's testing example, with the simulator's default follower.
    assert.equal(await replyToSubscribe(app), 'Welcome, o_sandbox_user! (safe mode)');

    const warned = logger.lines.some((line) => line.startsWith('No Redis configured'));
    assert.equal(warned, !withRedis);
  } finally {
    await app.close();
  }
});

test(
  '{ clientName } without @liaoliaots/nestjs-redis installed says what to install',
  { skip: withRedis },
  async () => {
    @Module({
      imports: [
        WechatModule.forRoot({
          appId: 'wx0123456789abcdef',
          appSecret: 'secret',
          path: false,
          redis: { clientName: 'default' },
        }),
      ],
    })
    class NamedRedisModule {}
    await assert.rejects(
      NestFactory.createApplicationContext(NamedRedisModule, {
        logger: false,
        abortOnError: false,
      }),
      (error: unknown) => {
        assert.ok(error instanceof WechatConfigError);
        assert.equal(
          error.message,
          'Invalid WechatModule configuration: "redis" names the client "default" of @liaoliaots/nestjs-redis, which is not installed: run `npm install @liaoliaots/nestjs-redis ioredis`, or pass an ioredis client as "redis".',
        );
        return true;
      },
    );
  },
);
