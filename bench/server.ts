// The app under test, as its own process: `node server.js` with BENCH_ADAPTER=express|fastify and
// BENCH_SERVER_CONFIG (JSON, see BenchServerConfig). Reports `{ type: 'ready', url }` over IPC and
// closes on `{ type: 'stop' }`. Started by bench/run.ts with --expose-gc.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { installDemoMetrics, renderPrometheusText } from '../src/observability/demo-metrics';
import { BenchAppModule, type BenchServerConfig } from './bench-app.module';

export type BenchAdapter = 'express' | 'fastify';

async function main(): Promise<void> {
  const adapter = (process.env.BENCH_ADAPTER ?? 'express') as BenchAdapter;
  const config = JSON.parse(process.env.BENCH_SERVER_CONFIG ?? '{}') as BenchServerConfig;
  // BENCH_OTEL=1: the OpenTelemetry metrics SDK with a Prometheus exporter, as the demo installs it.
  const exporter = process.env.BENCH_OTEL === '1' ? installDemoMetrics() : undefined;
  const module = BenchAppModule.register(config);
  const logger: LogLevel[] = ['error', 'warn'];
  let app: INestApplication;
  if (adapter === 'fastify') {
    app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
      logger,
    });
  } else if (adapter === 'express') {
    app = await NestFactory.create(module, { logger });
  } else {
    throw new Error(`BENCH_ADAPTER must be express or fastify, got ${String(adapter)}`);
  }
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'metrics') {
      const text = exporter ? renderPrometheusText(exporter) : Promise.resolve('');
      void text.then((metrics) => process.send?.({ type: 'metrics', metrics }));
      return;
    }
    if (message?.type !== 'stop') return;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.send?.({ type: 'ready', url, adapter });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
