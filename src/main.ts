import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { startDemoSandbox } from './sandbox/demo-sandbox';

async function bootstrap(): Promise<void> {
  const sandbox = await startDemoSandbox();
  const app = await NestFactory.create(AppModule.register({ sandbox }));
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const logger = new Logger('Demo');
  logger.log(`Demo app listening on http://localhost:${port} (WeChat callback at /wechat)`);
  if (sandbox)
    logger.warn(`Open http://localhost:${port}/ and click "Simulate scan" (sandbox mode).`);
}

void bootstrap();
