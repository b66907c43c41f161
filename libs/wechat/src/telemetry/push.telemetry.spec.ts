import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { PushTelemetry, traceCrypto } from './push.telemetry';
import { metricsActive } from './wechat.metrics';
import { tracingActive } from './wechat.tracing';

const OPTIONS = { appId: 'wx0123456789abcdef' };
const REQUEST = { method: 'POST', headers: {} };

// With `@opentelemetry/api` installed but no SDK, every span and instrument is a no-op: the module
// then skips its telemetry (and the attributes it would build) instead of feeding no-ops.
describe('push telemetry without and with an SDK', () => {
  afterEach(() => {
    metrics.disable();
    trace.disable();
  });

  it('does nothing without an SDK: no PushTelemetry, no span', () => {
    expect(tracingActive()).toBe(false);
    expect(metricsActive()).toBe(false);
    expect(PushTelemetry.start(OPTIONS, REQUEST)).toBeUndefined();
    expect(traceCrypto('decrypt', () => 'decrypted')).toBe('decrypted');
  });

  it('observes pushes once a meter provider is registered (metrics only: spans stay skipped)', () => {
    metrics.setGlobalMeterProvider(new MeterProvider());
    expect(metricsActive()).toBe(true);
    expect(tracingActive()).toBe(false);
    expect(PushTelemetry.start(OPTIONS, REQUEST)).toBeInstanceOf(PushTelemetry);
  });

  it('observes pushes and opens spans once a tracer provider is registered', () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    expect(tracingActive()).toBe(true);
    expect(metricsActive()).toBe(false);
    expect(PushTelemetry.start(OPTIONS, REQUEST)).toBeInstanceOf(PushTelemetry);
    expect(traceCrypto('decrypt', () => 'decrypted')).toBe('decrypted');
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['wechat.push.decrypt']);
  });

  it('goes back to doing nothing when the SDK is removed', () => {
    metrics.setGlobalMeterProvider(new MeterProvider());
    expect(PushTelemetry.start(OPTIONS, REQUEST)).toBeInstanceOf(PushTelemetry);
    metrics.disable();
    expect(PushTelemetry.start(OPTIONS, REQUEST)).toBeUndefined();
  });
});
