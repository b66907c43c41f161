import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { WechatAccounts } from '@app/wechat';
import { AppModule } from './app.module';
import { DemoEnvError } from './config/demo-env.error';
import { demoSettingsFromEnv } from './config/demo-env.parser';
import { loadEnvFile } from './config/env-file.loader';
import { wechatOptionsFromEnv } from './config/wechat-env.parser';
import { startDemoSandbox } from './sandbox/demo-sandbox';

async function bootstrap(): Promise<void> {
  // `.env` first: it may hold WECHAT_APP_ID, which decides on sandbox mode.
  const config = await loadEnvFile();
  const { port, httpAdapter } = demoSettingsFromEnv(process.env);
  const sandbox = await startDemoSandbox();
  // Checked before Nest starts, so a bad value stops the demo with one line naming the variable.
  wechatOptionsFromEnv(process.env);
  const module = AppModule.register({ sandbox, config });
  const app: INestApplication =
    httpAdapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter())
      : await NestFactory.create(module);
  app.enableShutdownHooks();
  // Fastify listens on localhost only unless told otherwise; Express on every interface.
  await (httpAdapter === 'fastify' ? app.listen(port, '0.0.0.0') : app.listen(port));
  const listening = app.getHttpServer() as { address(): { port: number } | string | null };
  const address = listening.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const logger = new Logger('Demo');
  const accounts = app.get(WechatAccounts);
  const callbacks = accounts
    .names()
    .map((name) => (name === accounts.defaultName ? `/wechat (${name})` : `/wechat/${name}`))
    .join(', ');
  logger.log(
    `Demo app listening on http://localhost:${actualPort} with ${httpAdapter} (WeChat callbacks at ${callbacks})`,
  );
  if (sandbox)
    logger.warn(`Open http://localhost:${actualPort}/ and click "Simulate scan" (sandbox mode).`);
}

bootstrap().catch((error: unknown) => {
  // A configuration mistake is one line that says what to fix; anything else with its stack.
  new Logger('Demo').error(error instanceof DemoEnvError ? error.message : error);
  process.exit(1);
});
