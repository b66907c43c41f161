import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

let exporter: PrometheusExporter | undefined;

/**
 * Installs the OpenTelemetry metrics SDK for this process (once), with a Prometheus exporter as its
 * reader, as a host app does: the WeChat module records into whatever meter provider is global.
 * The exporter's own HTTP server is not started; `GET /metrics` serves the same text.
 */
export function installDemoMetrics(): PrometheusExporter {
  if (exporter === undefined) {
    exporter = new PrometheusExporter({ preventServerStart: true });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
  }
  return exporter;
}

const serializer = new PrometheusSerializer();

/** The current metrics in the Prometheus text exposition format. */
export async function renderPrometheusText(reader: PrometheusExporter): Promise<string> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new Error('collecting the metrics failed');
  return serializer.serialize(resourceMetrics);
}
