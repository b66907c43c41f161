import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { renderPrometheusText } from './demo-metrics';

/** Injection token of the demo's Prometheus exporter. */
export const PROMETHEUS_EXPORTER = Symbol('PROMETHEUS_EXPORTER');

/** `GET /metrics`: every metric of the process (the WeChat module's among them) for Prometheus. */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(PROMETHEUS_EXPORTER) private readonly exporter: PrometheusExporter) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return renderPrometheusText(this.exporter);
  }
}
