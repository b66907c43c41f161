import type { Counter, Histogram, MeterProvider } from '@opentelemetry/api';
import { TELEMETRY_SCOPE, openTelemetryApi } from './opentelemetry-api.loader';
import type { WechatAttributes } from './wechat-telemetry.attributes';

/**
 * The module's instruments: names, units and descriptions in one place (OpenTelemetry semantic
 * conventions: namespaced dot-separated names, UCUM units, durations in seconds, counters without
 * a `_total` suffix — a Prometheus exporter adds it).
 */
export const WECHAT_METRICS = {
  pushReceived: {
    name: 'wechat.push.received',
    unit: '{push}',
    description: 'Pushes received by the callback endpoint, by type, event and outcome',
  },
  pushDuration: {
    name: 'wechat.push.duration',
    unit: 's',
    description: 'Time from reading a push body to writing its answer',
  },
  handlerDuration: {
    name: 'wechat.handler.duration',
    unit: 's',
    description: 'Time one handler method took for one push',
  },
  dedupRetriesAbsorbed: {
    name: 'wechat.dedup.retries_absorbed',
    unit: '{push}',
    description: 'Deliveries answered from an earlier delivery of the same push',
  },
  dedupStoreFallbacks: {
    name: 'wechat.dedup.store_fallbacks',
    unit: '{operation}',
    description: 'De-dup store operations done in process memory because the shared store failed',
  },
  credentialRefreshes: {
    name: 'wechat.credential.refreshes',
    unit: '{refresh}',
    description: 'Credentials (access_token …) fetched from WeChat by this process, by outcome',
  },
  credentialUpstreamDuration: {
    name: 'wechat.credential.upstream.duration',
    unit: 's',
    description: "Time of one credential fetch from WeChat's API",
  },
  credentialLockWaitDuration: {
    name: 'wechat.credential.lock_wait.duration',
    unit: 's',
    description: 'Time a refresh waited for another process holding the fleet lock',
  },
  credentialClears: {
    name: 'wechat.credential.clears',
    unit: '{clear}',
    description: 'Rejected credentials cleared from the shared store by compare-and-delete',
  },
  credentialStoreOutages: {
    name: 'wechat.credential.store.outages',
    unit: '{outage}',
    description:
      'Times the shared credential store became unreachable (the process fell back to memory)',
  },
  apiCalls: {
    name: 'wechat.api.calls',
    unit: '{call}',
    description: "Calls to WeChat's API, by path and errcode",
  },
  apiDuration: {
    name: 'wechat.api.duration',
    unit: 's',
    description: "Time of one call to WeChat's API, retries included",
  },
  apiRetries: {
    name: 'wechat.api.retries',
    unit: '{retry}',
    description: 'Attempts of an API call sent again, by reason',
  },
} as const;

/** Bucket boundaries (s) for durations bounded by WeChat's 5 s deadline and the API timeout. */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 4.5, 5, 10,
];

type CounterName =
  | 'pushReceived'
  | 'dedupRetriesAbsorbed'
  | 'dedupStoreFallbacks'
  | 'credentialRefreshes'
  | 'credentialClears'
  | 'credentialStoreOutages'
  | 'apiCalls'
  | 'apiRetries';
type HistogramName = Exclude<keyof typeof WECHAT_METRICS, CounterName>;

/** The instruments of one meter provider. */
type Instruments = { readonly [K in CounterName]: Counter } & {
  readonly [K in HistogramName]: Histogram;
};

/**
 * Instruments per global meter provider: the host may install its SDK after the library was
 * loaded (or a test may swap it), and an instrument of the no-op provider never records.
 */
const byProvider = new WeakMap<MeterProvider, Instruments | null>();

/**
 * The instruments of the global meter provider, or `undefined` when nothing records them: no
 * `@opentelemetry/api`, or no SDK (the API's no-op provider, whose instruments are its shared no-op
 * counter: then the module skips the attributes it would build for them, too).
 */
function instruments(): Instruments | undefined {
  const otel = openTelemetryApi();
  if (otel === undefined) return undefined;
  const provider = otel.metrics.getMeterProvider();
  let found = byProvider.get(provider);
  if (found === undefined) {
    const meter = provider.getMeter(TELEMETRY_SCOPE);
    const created: Record<string, Counter | Histogram> = {};
    for (const [key, spec] of Object.entries(WECHAT_METRICS)) {
      const options = { unit: spec.unit, description: spec.description };
      created[key] =
        spec.unit === 's'
          ? meter.createHistogram(spec.name, {
              ...options,
              advice: { explicitBucketBoundaries: DURATION_BUCKETS },
            })
          : meter.createCounter(spec.name, options);
    }
    const noop = created.pushReceived === otel.createNoopMeter().createCounter('noop');
    found = noop ? null : (created as unknown as Instruments);
    byProvider.set(provider, found);
  }
  return found ?? undefined;
}

/** Whether metrics are recorded (an SDK's meter provider is registered). */
export function metricsActive(): boolean {
  return instruments() !== undefined;
}

/** Adds 1 to a counter (nothing without `@opentelemetry/api` or an SDK). */
export function countWechat(name: CounterName, attributes: WechatAttributes): void {
  instruments()?.[name].add(1, attributes);
}

/** Records a duration in seconds on a histogram. */
export function recordWechatDuration(
  name: HistogramName,
  seconds: number,
  attributes: WechatAttributes,
): void {
  instruments()?.[name].record(seconds, attributes);
}

/** Seconds since `startedAt` (a `performance.now()` reading). */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
