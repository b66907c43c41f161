import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { DemoSandbox } from './demo-sandbox';
import { SandboxController } from './sandbox.controller';

const DEMO_SANDBOX = Symbol('DEMO_SANDBOX');

/**
 * Sandbox-only routes of the demo, mounted only when the demo simulates WeChat; stops the WeChat
 * API stand-in when the app shuts down.
 */
@Module({})
export class SandboxModule implements OnApplicationShutdown {
  constructor(@Inject(DEMO_SANDBOX) private readonly sandbox: DemoSandbox) {}

  static register(sandbox: DemoSandbox): DynamicModule {
    return {
      module: SandboxModule,
      controllers: [SandboxController],
      providers: [{ provide: DEMO_SANDBOX, useValue: sandbox }],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox.close();
  }
}
