// An OpenTelemetry SDK inside the test process, as a host app would install one: the metrics SDK
// with a reader the test pulls from, the trace SDK with an in-memory span exporter, the
// AsyncLocalStorage context manager, and the W3C trace-context propagator (traceparent).
import { context, metrics, propagation, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** A metric reader that collects when the test asks (cumulative, the SDK's default). */
class PullMetricReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** One data point of one metric, flattened. */
export interface MetricPoint {
  readonly name: string;
  readonly unit: string;
  readonly attributes: Attributes;
  /** A counter's sum, or a histogram's count. */
  readonly value: number;
  /** A histogram's sum. */
  readonly sum?: number;
}

/** The SDK of one test file. */
export interface TestTelemetry {
  /** Every point of every metric recorded so far (cumulative). */
  collect(): Promise<MetricPoint[]>;
  /** Ended spans so far. */
  spans(): ReadableSpan[];
  /** Forgets the ended spans (for {@link spans}). */
  resetSpans(): void;
  /** Every span ended since the SDK was installed. */
  allSpans(): ReadableSpan[];
  /** Uninstalls everything. */
  shutdown(): Promise<void>;
}

/** Installs the SDK globally (jest gives each test file its own globals). */
export function installTestTelemetry(): TestTelemetry {
  const reader = new PullMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const everything = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter), new SimpleSpanProcessor(everything)],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  metrics.setGlobalMeterProvider(meterProvider);
  trace.setGlobalTracerProvider(tracerProvider);
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new Error(`metric collection failed: ${String(errors[0])}`);
      const points: MetricPoint[] = [];
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          const { name, unit } = metric.descriptor;
          for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
            if (metric.dataPointType === DataPointType.HISTOGRAM) {
              const value = point.value as Histogram;
              points.push({
                name,
                unit,
                attributes: point.attributes,
                value: value.count,
                sum: value.sum,
              });
            } else {
              points.push({
                name,
                unit,
                attributes: point.attributes,
                value: point.value as number,
              });
            }
          }
        }
      }
      return points;
    },
    spans: () => exporter.getFinishedSpans(),
    resetSpans: () => exporter.reset(),
    allSpans: () => everything.getFinishedSpans(),
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
      contextManager.disable();
      metrics.disable();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * The value of the point of `name` whose attributes are exactly `attributes` (0 if there is none):
 * a counter's sum, a histogram's count.
 */
export function pointValue(points: MetricPoint[], name: string, attributes: Attributes): number {
  const wanted = JSON.stringify(sorted(attributes));
  const found = points.find(
    (point) => point.name === name && JSON.stringify(sorted(point.attributes)) === wanted,
  );
  return found?.value ?? 0;
}

/** The sum over every point of `name` (counters) or their counts (histograms). */
export function totalOf(points: MetricPoint[], name: string): number {
  return points.filter((point) => point.name === name).reduce((sum, p) => sum + p.value, 0);
}

function sorted(attributes: Attributes): [string, unknown][] {
  return Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
}

/** What changed between two collections: the points of `name` whose value grew, and by how much. */
export function changes(
  before: MetricPoint[],
  after: MetricPoint[],
  name: string,
): { attributes: Attributes; value: number }[] {
  return after
    .filter((point) => point.name === name)
    .map((point) => ({
      attributes: point.attributes,
      value: point.value - pointValue(before, name, point.attributes),
    }))
    .filter((change) => change.value !== 0);
}
