// Section 10: what the module's instrumentation costs once a host installs an OpenTelemetry SDK.
// Two servers of the same build run side by side, one with the metrics SDK and a Prometheus
// exporter (BENCH_OTEL=1, as the demo installs them), one without; their safe-mode echo is
// measured in alternating runs (the order flips every round), and each round's ratio is
// with ÷ without.
import type { BenchServerConfig } from './bench-app.module';
import { load, simulatorFor, type LoadSample, type LoadSettings } from './callback';
import { PushPool } from './push-pool';
import type { ServerProcess } from './processes';
import { median } from './script';

export interface TelemetryOverheadResult {
  adapter: string;
  /** Median req/s without and with the SDK. */
  withoutRps: number;
  withRps: number;
  /** Median over the rounds of with ÷ without. */
  ratio: number;
  roundRatios: number[];
  non2xx: number;
  errors: number;
  /** `wechat.push.received{outcome=handled}` on the SDK server at the end (all pushes it got). */
  handledCounted: number;
  /** Answers autocannon counted from the SDK server (warm-up included; runs' last in-flight requests not). */
  requestsSent: number;
}

/** Sums the `wechat_push_received_total` samples with outcome `handled` in a Prometheus text. */
export function handledIn(metrics: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('wechat_push_received_total{')) continue;
    if (!line.includes('wechat_push_outcome="handled"')) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function benchTelemetryOverhead(
  without: ServerProcess,
  withSdk: ServerProcess,
  config: BenchServerConfig,
  settings: LoadSettings,
  log: (line: string) => void,
): Promise<TelemetryOverheadResult> {
  const sim = simulatorFor(config);
  const pools = {
    without: new PushPool(sim, '/wechat', 'text', 'safe'),
    with: new PushPool(sim, '/wechat', 'text', 'safe'),
  };
  const servers = { without, with: withSdk };
  const samples: Record<'without' | 'with', LoadSample[]> = { without: [], with: [] };
  let requestsSent = 0;
  const estimate = { without: 0, with: 0 };
  for (const side of ['without', 'with'] as const) {
    pools[side].fill(60_000);
    const warm = await load(servers[side].url, pools[side], {
      connections: settings.connections,
      durationSeconds: settings.warmupSeconds,
    });
    pools[side].clear();
    estimate[side] = warm.rps;
    if (side === 'with') requestsSent += warm.requests;
    log(
      `  ${without.adapter} · safe-mode echo ${side} the SDK: warm-up ${Math.round(warm.rps)} req/s`,
    );
  }
  const roundRatios: number[] = [];
  for (let round = 1; round <= settings.rounds; round += 1) {
    const order = round % 2 === 1 ? (['without', 'with'] as const) : (['with', 'without'] as const);
    const got: Partial<Record<'without' | 'with', LoadSample>> = {};
    for (const side of order) {
      pools[side].fill(Math.ceil(estimate[side] * settings.durationSeconds * 2.5) + 2_000);
      const sample = await load(servers[side].url, pools[side], {
        connections: settings.connections,
        durationSeconds: settings.durationSeconds,
      });
      pools[side].clear();
      estimate[side] = Math.max(estimate[side], sample.rps);
      samples[side].push(sample);
      if (side === 'with') requestsSent += sample.requests;
      got[side] = sample;
    }
    const ratio = (got.with?.rps ?? NaN) / (got.without?.rps ?? NaN);
    roundRatios.push(ratio);
    log(
      `  ${without.adapter} · round ${round} · without ${Math.round(got.without?.rps ?? 0)} req/s, with the SDK ${Math.round(got.with?.rps ?? 0)} req/s: ${ratio.toFixed(3)}`,
    );
  }
  const all = [...samples.without, ...samples.with];
  return {
    adapter: without.adapter,
    withoutRps: median(samples.without.map((s) => s.rps)),
    withRps: median(samples.with.map((s) => s.rps)),
    ratio: median(roundRatios),
    roundRatios,
    non2xx: all.reduce((sum, s) => sum + s.non2xx, 0),
    errors: all.reduce((sum, s) => sum + s.errors, 0),
    handledCounted: handledIn(await withSdk.metrics()),
    requestsSent,
  };
}
