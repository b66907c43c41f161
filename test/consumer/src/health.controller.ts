import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { WechatHealthIndicator } from 'nestjs-wechat-oa';

/**
 * `GET /health`: 200 `{ status: 'ok', … }`, or 503 naming what fails under `error.wechat`. Declare it
 * in the module that imports `WechatModule` (which exports the indicator), next to
 * `TerminusModule.forRoot()`.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly wechat: WechatHealthIndicator, // exported by WechatModule
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.wechat.isHealthy('wechat', { redisTimeoutMs: 1000 })]);
  }
}
