import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { startDemoSandbox } from './sandbox/demo-sandbox';

/** The HTTP platforms the demo runs on, picked by `HTTP_ADAPTER`. */
const HTTP_ADAPTERS = ['express', 'fastify'] as const;
type HttpAdapterName = (typeof HTTP_ADAPTERS)[number];

function httpAdapterName(value = process.env.HTTP_ADAPTER ?? 'express'): HttpAdapterName {
  const name = HTTP_ADAPTERS.find((candidate) => candidate === value.toLowerCase());
  if (!name) throw new Error(`HTTP_ADAPTER must be "express" or "fastify", not "${value}"`);
  return name;
}

async function bootstrap(): Promise<void> {
  const adapter = httpAdapterName();
  const sandbox = await startDemoSandbox();
  const module = AppModule.register({ sandbox });
  const app: INestApplication =
    adapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter())
      : await NestFactory.create(module);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  // Fastify listens on localhost only unless told otherwise; Express on every interface.
  await (adapter === 'fastify' ? app.listen(port, '0.0.0.0') : app.listen(port));
  const logger = new Logger('Demo');
  logger.log(
    `Demo app listening on http://localhost:${port} with ${adapter} (WeChat callback at /wechat)`,
  );
  if (sandbox)
    logger.warn(`Open http://localhost:${port}/ and click "Simulate scan" (sandbox mode).`);
}

void bootstrap();
