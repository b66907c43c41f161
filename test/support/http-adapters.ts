import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import type { App } from 'supertest/types';

/** The HTTP platforms the module must run on unchanged. */
export type HttpAdapterName = 'express' | 'fastify';

/** Every platform, for `describe.each` (as `@nestjs/throttler` tests both). */
export const HTTP_ADAPTERS: readonly HttpAdapterName[] = ['express', 'fastify'];

/** A fresh Nest HTTP adapter of that platform. */
export function createHttpAdapter(name: HttpAdapterName): ExpressAdapter | FastifyAdapter {
  return name === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
}

/**
 * Creates and initialises a Nest app on `adapter`, ready for supertest (`getHttpServer()`):
 * Fastify answers only once its instance is ready. `configure` runs before `init()`.
 */
export async function initApp(
  moduleRef: TestingModule,
  adapter: HttpAdapterName,
  options: NestApplicationOptions = {},
  configure?: (app: INestApplication<App>) => void,
): Promise<INestApplication<App>> {
  const httpAdapter = createHttpAdapter(adapter);
  const app = moduleRef.createNestApplication<INestApplication<App>>(httpAdapter, {
    logger: false,
    ...options,
  });
  configure?.(app);
  await app.init();
  if (httpAdapter instanceof FastifyAdapter) await httpAdapter.getInstance().ready();
  return app;
}
