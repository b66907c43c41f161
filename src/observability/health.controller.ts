import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { WechatHealthIndicator } from '@app/wechat';

/**
 * `GET /health`: terminus's own JSON — 200 with `status: "ok"`, or 503 with `status: "error"` and
 * the failing part under `error.wechat` (`failing: ["redis"]`, …).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly wechat: WechatHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.wechat.isHealthy('wechat')]);
  }
}
