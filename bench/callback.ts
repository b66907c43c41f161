// Section 1 and 4: HTTP load on the server under test with autocannon (as a library, in this
// process; the server is another process), its CPU time per request, and its memory over many
// safe-mode pushes.
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { WechatPushSimulator } from '../libs/wechat/src/testing';
import type { BenchCpuUsage, BenchServerConfig } from './bench-app.module';
import { BENCH_ECHO_TEXT } from './constants';
import { PushPool, type PushKind } from './push-pool';
import { median } from './script';
import type { ServerProcess } from './processes';
import type { WechatPushMode } from '../libs/wechat/src/testing';

/** What a row's reply must be for the row to count. */
type Expectation = 'success' | 'plain-echo' | 'safe-echo' | 'envelope';

interface RowSpec {
  name: string;
  route: string;
  kind: PushKind;
  mode: WechatPushMode;
  expect: Expectation;
  /**
   * Content-Type sent. The bare route gets `text/plain` (a type both Express and Fastify accept on
   * any route; on Fastify the library's catch-all parser answers 415 for other types off the
   * callback route); the callback gets WeChat's `text/xml`.
   */
  contentType: string;
}

export const CALLBACK_ROWS: readonly RowSpec[] = [
  {
    name: 'bare `POST /bare` → success (baseline)',
    route: '/bare',
    kind: 'text',
    mode: 'plaintext',
    expect: 'success',
    contentType: 'text/plain',
  },
  {
    name: 'callback shape only: guard + raw body + same-size encrypted reply, no push handling (diagnostic)',
    route: '/shape',
    kind: 'text',
    mode: 'safe',
    expect: 'envelope',
    contentType: 'text/xml',
  },
  {
    name: 'plaintext text push → echo reply',
    route: '/wechat',
    kind: 'text',
    mode: 'plaintext',
    expect: 'plain-echo',
    contentType: 'text/xml',
  },
  {
    name: 'safe-mode text push → encrypted echo reply',
    route: '/wechat',
    kind: 'text',
    mode: 'safe',
    expect: 'safe-echo',
    contentType: 'text/xml',
  },
  {
    name: 'safe-mode event → success',
    route: '/wechat',
    kind: 'event',
    mode: 'safe',
    expect: 'success',
    contentType: 'text/xml',
  },
];

/** Index in {@link CALLBACK_ROWS} of the bare route (the baseline every ratio needs). */
export const BARE_ROW = CALLBACK_ROWS.findIndex((row) => row.route === '/bare');
/** Index in {@link CALLBACK_ROWS} of the safe-mode echo (the row the targets are about). */
export const SAFE_ECHO_ROW = CALLBACK_ROWS.findIndex((row) => row.expect === 'safe-echo');

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  rounds: number;
}

/** One autocannon run. */
export interface LoadSample {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Length of the run, s. */
  seconds: number;
  /** The server's CPU time (all threads) during the run, µs; NaN when it was not read. */
  cpuMicros: number;
  /** This process's (the load generator's) CPU time during the run, µs; NaN when not read. */
  clientCpuMicros: number;
  /** redis-server's CPU time during the run, µs; NaN when not read. */
  redisCpuMicros: number;
  /** Script calls (EVALSHA, EVAL) redis-server ran during the run; NaN when not read. */
  redisScriptCalls: number;
}

/** Which callback section a row belongs to. */
export type RowGroup =
  /** The server on a CPU of its own (when the machine could pin), the rows the targets are about. */
  | 'main'
  /** Diagnostic: the same app without Redis. */
  | 'no-redis'
  /** Diagnostic: nothing pinned, the client, the server and Redis share every CPU. */
  | 'unpinned';

export interface CallbackRowResult {
  adapter: string;
  group: RowGroup;
  name: string;
  /** Why the row was not measured (the one-off check failed). */
  skipped?: string;
  samples: LoadSample[];
  rps: number;
  p50: number;
  p99: number;
  /** Median over the rounds of rps / the bare route's rps in the same round (same adapter). */
  ratio: number;
  /** That ratio in each round. */
  roundRatios: number[];
  /** Median over the rounds of the server's CPU time per request, µs. */
  cpuPerRequest: number;
  /**
   * Median over the rounds of the bare route's CPU per request (around the round, as for
   * {@link ratio}) / this row's: the callback's cost independent of the load generator's speed.
   */
  cpuRatio: number;
  /** That ratio in each round. */
  cpuRoundRatios: number[];
  /** Median over the rounds of the server's CPU time / the run's wall time (1 = one CPU busy). */
  serverBusy: number;
  /** Median over the rounds of the load generator's CPU time per request, µs. */
  clientCpuPerRequest: number;
  /** Median over the rounds of redis-server's CPU time per request, µs. */
  redisCpuPerRequest: number;
  /** Median over the rounds of the Redis script calls per request (the de-dup's batches). */
  redisScriptCallsPerRequest: number;
  non2xx: number;
  errors: number;
  generatedLive: number;
  /** Requests sent during the warm-up. */
  warmupRequests: number;
}

/** The simulator with the server's credentials. */
export function simulatorFor(config: BenchServerConfig): WechatPushSimulator {
  return new WechatPushSimulator({
    token: config.token,
    appId: config.appId,
    encodingAESKey: config.encodingAESKey,
  });
}

/** Runs autocannon against `url` with pushes from `pool`; `amount` or `durationSeconds`. */
export async function load(
  url: string,
  pool: PushPool,
  options: { connections: number; durationSeconds?: number; amount?: number },
): Promise<LoadSample> {
  const result = await autocannon({
    url,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount !== undefined
      ? { amount: options.amount }
      : { duration: options.durationSeconds }),
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => {
          const push = pool.next();
          return {
            ...request,
            method: 'POST',
            path: push.path,
            headers: push.headers,
            body: push.body,
          };
        },
      },
    ],
  });
  const seconds = result.duration > 0 ? result.duration : 1;
  return {
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds,
    cpuMicros: NaN,
    clientCpuMicros: NaN,
    redisCpuMicros: NaN,
    redisScriptCalls: NaN,
  };
}

/** The server's CPU time so far, µs, through the bench-only `GET /bench/cpu` route. */
export async function serverCpuMicros(url: string): Promise<number> {
  const response = await fetch(`${url}/bench/cpu`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET /bench/cpu answered HTTP ${response.status}`);
  const usage = (await response.json()) as BenchCpuUsage;
  return usage.user + usage.system;
}

/**
 * redis-server's CPU time so far (user + system, all its threads, µs; INFO cpu) and the script
 * calls it ran so far (INFO commandstats: EVALSHA and EVAL; the de-dup sends one per batch).
 */
async function redisCounters(
  redis: Redis | undefined,
): Promise<{ cpuMicros: number; scriptCalls: number }> {
  if (!redis) return { cpuMicros: NaN, scriptCalls: NaN };
  const info = await redis.info('everything');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  const calls = (command: string): number =>
    Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return {
    cpuMicros: (field('used_cpu_user') + field('used_cpu_sys')) * 1e6,
    scriptCalls: calls('evalsha') + calls('eval'),
  };
}

function ownCpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** {@link load}, with the CPU time of the server, this process and Redis read around the run. */
async function measuredLoad(
  url: string,
  pool: PushPool,
  options: { connections: number; durationSeconds: number },
  redis: Redis | undefined,
): Promise<LoadSample> {
  const redisBefore = await redisCounters(redis);
  const before = await serverCpuMicros(url);
  const clientBefore = ownCpuMicros();
  const sample = await load(url, pool, options);
  sample.clientCpuMicros = ownCpuMicros() - clientBefore;
  sample.cpuMicros = (await serverCpuMicros(url)) - before;
  const redisAfter = await redisCounters(redis);
  sample.redisCpuMicros = redisAfter.cpuMicros - redisBefore.cpuMicros;
  sample.redisScriptCalls = redisAfter.scriptCalls - redisBefore.scriptCalls;
  return sample;
}

/** The median of the finite values; NaN when there are none. */
function finiteMedian(values: readonly number[]): number {
  const finite = values.filter((value) => Number.isFinite(value));
  return finite.length > 0 ? median(finite) : NaN;
}

/** Sends one push and checks the answer the way WeChat would read it; returns a problem or undefined. */
async function check(
  url: string,
  pool: PushPool,
  sim: WechatPushSimulator,
  expect: Expectation,
): Promise<string | undefined> {
  const push = pool.make();
  const response = await fetch(url + push.path, {
    method: 'POST',
    headers: push.headers,
    body: push.body,
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  if (response.status !== 200) return `HTTP ${response.status}: ${body.slice(0, 80)}`;
  if (expect === 'success') return body === 'success' ? undefined : `answered ${body.slice(0, 80)}`;
  if (expect === 'envelope') {
    return (await sim.readReply(body)).encrypted ? undefined : `answered ${body.slice(0, 80)}`;
  }
  const reply = await sim.readReply(body);
  if (reply.encrypted !== (expect === 'safe-echo')) return 'reply encryption is wrong';
  if (reply.fields.Content !== BENCH_ECHO_TEXT) {
    return `reply is not the echo: ${reply.xml.slice(0, 80)}`;
  }
  return undefined;
}

/** Section 1 for one adapter: check, warm up, then rounds alternating the rows. */
export async function benchCallbacks(
  server: ServerProcess,
  config: BenchServerConfig,
  settings: LoadSettings,
  log: (line: string) => void,
  options: { label?: string; rows?: number[]; group?: RowGroup } = {},
): Promise<CallbackRowResult[]> {
  // Only reads INFO cpu, around each round; absent when the server has no Redis.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1 })
    : undefined;
  try {
    return await runRows(server, config, settings, log, options, redis);
  } finally {
    redis?.disconnect();
  }
}

async function runRows(
  server: ServerProcess,
  config: BenchServerConfig,
  settings: LoadSettings,
  log: (line: string) => void,
  options: { label?: string; rows?: number[]; group?: RowGroup },
  redis: Redis | undefined,
): Promise<CallbackRowResult[]> {
  const sim = simulatorFor(config);
  const label = options.label ?? server.adapter;
  const only = options.rows ?? process.env.BENCH_ROWS?.split(',').map(Number); // "0,2": bare + safe echo
  const specs = only ? CALLBACK_ROWS.filter((_, index) => only.includes(index)) : CALLBACK_ROWS;
  const rows = specs.map((spec) => ({
    spec,
    pool: new PushPool(sim, spec.route, spec.kind, spec.mode, spec.contentType),
    samples: [] as LoadSample[],
    estimate: 0,
    skipped: undefined as string | undefined,
    warmupRequests: 0,
  }));
  for (const row of rows) {
    row.skipped = await check(server.url, row.pool, sim, row.spec.expect).catch(
      (error: unknown) => `check failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (row.skipped) {
      log(`  ${label} · ${row.spec.name}: NOT MEASURED (${row.skipped})`);
      continue;
    }
    row.pool.fill(60_000); // the warm-up may sign more on the fly: not counted below
    const warm = await load(server.url, row.pool, {
      connections: settings.connections,
      durationSeconds: settings.warmupSeconds,
    });
    row.pool.clear();
    row.pool.generatedLive = 0;
    row.estimate = warm.rps;
    row.warmupRequests = warm.requests;
    log(`  ${label} · ${row.spec.name}: warm-up ${Math.round(warm.rps)} req/s`);
  }
  for (let round = 1; round <= settings.rounds; round += 1) {
    for (const row of rows) {
      if (row.skipped) continue;
      row.pool.fill(Math.ceil(row.estimate * settings.durationSeconds * 3) + 5_000);
      const sample = await measuredLoad(
        server.url,
        row.pool,
        { connections: settings.connections, durationSeconds: settings.durationSeconds },
        redis,
      );
      row.pool.clear();
      row.estimate = Math.max(row.estimate, sample.rps);
      row.samples.push(sample);
      log(
        `  ${label} · round ${round} · ${row.spec.name}: ${Math.round(sample.rps)} req/s, ${Math.round(sample.cpuMicros / sample.requests)} µs CPU/request, p50 ${sample.p50} ms, p99 ${sample.p99} ms${sample.non2xx + sample.errors > 0 ? `, ${sample.non2xx} non-2xx, ${sample.errors} errors` : ''}`,
      );
    }
  }
  // Each round's ratio sets a row against the bare route measured around it: the mean of the bare
  // run that opened its round and the one that opened the next (the round's own for the last), so
  // a slower or faster phase of the shared machine moves both sides; the row's ratio is the median
  // of those.
  const bareRow = rows.find((row) => row.spec.route === '/bare');
  const bareSamples = bareRow?.samples ?? [];
  // The CPU ratio is set the same way, on the bare route's CPU per request around the round.
  const cpuPerRequest = (sample: LoadSample): number => sample.cpuMicros / sample.requests;
  const bareAround = (round: number, measure: (sample: LoadSample) => number): number => {
    const first = bareSamples[round];
    const before = first ? measure(first) : NaN;
    const next = bareSamples[round + 1];
    const after = next ? measure(next) : before;
    return (before + after) / 2;
  };
  return rows.map((row) => {
    const rps = row.samples.length > 0 ? median(row.samples.map((s) => s.rps)) : NaN;
    const roundRatios = row.samples
      .map((sample, round) =>
        row === bareRow ? 1 : sample.rps / bareAround(round, (bare) => bare.rps),
      )
      .filter((ratio) => Number.isFinite(ratio));
    const cpuRoundRatios = row.samples
      .map((sample, round) =>
        row === bareRow ? 1 : bareAround(round, cpuPerRequest) / cpuPerRequest(sample),
      )
      .filter((ratio) => Number.isFinite(ratio));
    return {
      adapter: label,
      group: options.group ?? 'main',
      name: row.spec.name,
      skipped: row.skipped,
      samples: row.samples,
      rps,
      p50: row.samples.length > 0 ? median(row.samples.map((s) => s.p50)) : NaN,
      p99: row.samples.length > 0 ? median(row.samples.map((s) => s.p99)) : NaN,
      ratio: roundRatios.length > 0 ? median(roundRatios) : NaN,
      roundRatios,
      cpuPerRequest: finiteMedian(row.samples.map(cpuPerRequest)),
      cpuRatio: cpuRoundRatios.length > 0 ? median(cpuRoundRatios) : NaN,
      cpuRoundRatios,
      serverBusy: finiteMedian(row.samples.map((s) => s.cpuMicros / (s.seconds * 1e6))),
      clientCpuPerRequest: finiteMedian(row.samples.map((s) => s.clientCpuMicros / s.requests)),
      redisCpuPerRequest: finiteMedian(row.samples.map((s) => s.redisCpuMicros / s.requests)),
      redisScriptCallsPerRequest: finiteMedian(
        row.samples.map((s) => s.redisScriptCalls / s.requests),
      ),
      non2xx: row.samples.reduce((sum, s) => sum + s.non2xx, 0),
      errors: row.samples.reduce((sum, s) => sum + s.errors, 0),
      generatedLive: row.pool.generatedLive,
      warmupRequests: row.warmupRequests,
    };
  });
}

export interface MemoryResult {
  adapter: string;
  pushes: number;
  warmupPushes: number;
  /** After the warm-up and a forced GC. */
  before: NodeJS.MemoryUsage;
  /** Right after the pushes, no GC. */
  after: NodeJS.MemoryUsage;
  /** After the pushes and a forced GC. */
  afterGc: NodeJS.MemoryUsage;
  rssGrowthBytes: number;
  /** RSS (no GC) after each chunk of pushes: a plateau is retained memory, a slope a leak. */
  checkpoints: { pushes: number; rss: number; heapUsed: number }[];
  non2xx: number;
  errors: number;
  gcExposed: boolean;
}

async function memoryOf(url: string, gc: boolean): Promise<NodeJS.MemoryUsage & { gc?: boolean }> {
  const ask = async (): Promise<NodeJS.MemoryUsage & { gc?: boolean }> => {
    const response = await fetch(`${url}/bench/${gc ? 'gc' : 'memory'}`, {
      method: gc ? 'POST' : 'GET',
      signal: AbortSignal.timeout(10_000),
    });
    return (await response.json()) as NodeJS.MemoryUsage & { gc?: boolean };
  };
  if (!gc) return ask();
  // Collect, let V8 hand freed pages back to the OS, collect again, then read.
  await ask();
  await new Promise((resolve) => setTimeout(resolve, 500));
  return ask();
}

/** Section 4: RSS before and after `pushes` safe-mode echo pushes (distinct), and after a GC. */
export async function benchMemory(
  server: ServerProcess,
  config: BenchServerConfig,
  options: { pushes: number; warmupPushes: number; connections: number },
  log: (line: string) => void,
): Promise<MemoryResult> {
  const sim = simulatorFor(config);
  const pool = new PushPool(sim, '/wechat', 'text', 'safe');
  const chunk = 25_000;
  let non2xx = 0;
  let errors = 0;
  const checkpoints: MemoryResult['checkpoints'] = [];
  const send = async (count: number, record: boolean): Promise<void> => {
    for (let sent = 0; sent < count; sent += chunk) {
      const amount = Math.min(chunk, count - sent);
      pool.fill(amount);
      const sample = await load(server.url, pool, { connections: options.connections, amount });
      pool.clear();
      non2xx += sample.non2xx;
      errors += sample.errors;
      if (record) {
        const usage = await memoryOf(server.url, false);
        checkpoints.push({ pushes: sent + amount, rss: usage.rss, heapUsed: usage.heapUsed });
      }
    }
  };
  await send(options.warmupPushes, false);
  const before = await memoryOf(server.url, true);
  log(`  memory before: rss ${mb(before.rss)} MB, heapUsed ${mb(before.heapUsed)} MB`);
  non2xx = 0;
  errors = 0;
  await send(options.pushes, true);
  const after = await memoryOf(server.url, false);
  const afterGc = await memoryOf(server.url, true);
  log(
    `  memory after ${options.pushes} pushes: rss ${mb(after.rss)} MB; after GC rss ${mb(afterGc.rss)} MB, heapUsed ${mb(afterGc.heapUsed)} MB`,
  );
  return {
    adapter: server.adapter,
    pushes: options.pushes,
    warmupPushes: options.warmupPushes,
    before,
    after,
    afterGc,
    rssGrowthBytes: afterGc.rss - before.rss,
    checkpoints,
    non2xx,
    errors,
    gcExposed: before.gc === true,
  };
}

export function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
