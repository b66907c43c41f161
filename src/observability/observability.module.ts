import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { installDemoMetrics } from './demo-metrics';
import { HealthController } from './health.controller';
import { MetricsController, PROMETHEUS_EXPORTER } from './metrics.controller';

/** The demo's operations routes: `GET /metrics` (Prometheus) and `GET /health` (terminus). */
@Module({
  imports: [TerminusModule.forRoot()],
  controllers: [MetricsController, HealthController],
  providers: [{ provide: PROMETHEUS_EXPORTER, useFactory: installDemoMetrics }],
})
export class ObservabilityModule {}
