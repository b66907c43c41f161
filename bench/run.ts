// `npm run bench`: measures the callback endpoint, the token hot path, fleet refresh, memory and
// the protocol core, and writes bench/results.md. Runs from the compiled JS (bench/tsconfig.build.json).
//
// The callback rows (with the telemetry comparison and the profile) run with the server under test
// on a CPU of its own and this process (the load generator) and redis-server on the others
// (taskset, see cpu-affinity.ts), then again unpinned as a diagnostic; every other section runs
// unpinned.
//
// Knobs (environment): BENCH_ROUNDS (12), BENCH_DURATION (1.5 s), BENCH_WARMUP (3 s),
// BENCH_CONNECTIONS (32), BENCH_ADAPTERS (express,fastify), BENCH_MEMORY_PUSHES (100000),
// BENCH_SECTIONS (micro,token,api,fleet,callback,telemetry,profile,memory,accounts),
// BENCH_DIAGNOSTIC=0 (skip the no-Redis rows), BENCH_ROWS (callback rows by index in
// CALLBACK_ROWS, 0 = the bare route, which the ratios need), BENCH_UNPINNED_ROWS (the unpinned
// diagnostic rows, 0,3 = bare and safe-mode echo; 'none' skips them), BENCH_PIN=0 (pin nothing),
// BENCH_CPU_PROF=1 (servers write .cpuprofile files to bench/profiles/), BENCH_PROFILE_ROW
// (the row section 6 profiles, default the safe-mode echo; another row is for comparing profiles,
// the report still calls it the echo's), BENCH_PROFILE_KEEP (a folder to keep section 6's
// .cpuprofile files in, as <adapter>-row<N>.cpuprofile), BENCH_OUTPUT (bench/results.md).
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startWechatApiServer } from '../libs/wechat/src/testing';
import { startRedisServer } from '../test/support/redis-server';
import type { BenchServerConfig } from './bench-app.module';
import {
  BARE_ROW,
  SAFE_ECHO_ROW,
  benchCallbacks,
  benchMemory,
  type CallbackRowResult,
} from './callback';
import type { AccountsBenchInput, AccountsLookupResult, AccountsMemoryResult } from './accounts';
import { pinProcess, planCpuLayout, type CpuLayout } from './cpu-affinity';
import { benchFleet } from './fleet';
import type { MicroInput, MicroRow } from './micro';
import { runScript, startServer } from './processes';
import { benchTelemetryOverhead } from './telemetry';
import { analyseProfile } from './profile';
import { renderReport, verdicts, type BenchReport } from './report';
import type { BenchAdapter } from './server';
import type { TokenHotInput, TokenHotResult } from './token-hot';
import type { ApiCallsInput, ApiCallsResult } from './api-calls';

const env = process.env;
const positive = (name: string, fallback: number): number => {
  const value = Number(env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The pid of the redis-server at `url` (INFO server's process_id). */
async function redisPid(url: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error('INFO server has no process_id');
    return pid;
  } finally {
    client.disconnect();
  }
}

/** Indexes of callback rows from a comma-separated knob; undefined for all, [] for 'none'. */
function rowList(value: string | undefined, fallback?: number[]): number[] | undefined {
  if (value === undefined || value === '') return fallback;
  return value === 'none' ? [] : value.split(',').map(Number);
}

async function main(): Promise<void> {
  const root = process.cwd();
  if (!existsSync(join(root, 'bench'))) throw new Error('run `npm run bench` from the repo root');
  const sections = new Set(
    (
      env.BENCH_SECTIONS ?? 'micro,token,api,fleet,callback,telemetry,profile,memory,accounts'
    ).split(','),
  );
  const adapters = (env.BENCH_ADAPTERS ?? 'express,fastify').split(',') as BenchAdapter[];
  const settings = {
    rounds: positive('BENCH_ROUNDS', 12),
    durationSeconds: positive('BENCH_DURATION', 1.5),
    warmupSeconds: positive('BENCH_WARMUP', 3),
    connections: positive('BENCH_CONNECTIONS', 32),
    memoryPushes: positive('BENCH_MEMORY_PUSHES', 100_000),
  };
  const cpuProfileDir = env.BENCH_CPU_PROF ? join(root, 'bench', 'profiles') : undefined;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const startedAt = Date.now();
  const report: BenchReport = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      node: process.version,
      platform: `${platform()} ${release()}`,
      loadAvg: loadavg(),
    },
    date: new Date().toISOString(),
    elapsedSeconds: 0,
    settings,
    callbacks: [],
    adapterNotes: [],
    fleet: [],
    micro: [],
    profiles: [],
    telemetry: [],
  };

  log('Starting redis-server and the local WeChat API stand-in…');
  const redis = await startRedisServer();
  const api = await startWechatApiServer();
  let layout: CpuLayout =
    env.BENCH_PIN === '0'
      ? { ...planCpuLayout(), pinned: false, reason: 'BENCH_PIN=0 was set' }
      : planCpuLayout();
  let pidOfRedis = NaN;
  if (layout.pinned) {
    try {
      pidOfRedis = await redisPid(redis.url);
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message : String(error);
      layout = { ...layout, pinned: false, reason: `the redis-server pid is unknown (${reason})` };
    }
  }
  report.cpuLayout = layout;
  /** Pinned: this process and Redis on `others` (the server gets `server`); else all on every CPU. */
  const place = (pinned: boolean): void => {
    if (!layout.pinned) return;
    pinProcess(process.pid, pinned ? layout.others : layout.all);
    pinProcess(pidOfRedis, pinned ? layout.others : layout.all);
  };
  const serverCpus = layout.pinned ? layout.server : undefined;
  log(
    layout.pinned
      ? `Callback rows: server on CPU ${layout.server}, load generator and redis-server on CPU ${layout.others}.`
      : `Callback rows unpinned: ${layout.reason}.`,
  );
  const config: BenchServerConfig = {
    appId: api.appId,
    appSecret: api.appSecret,
    token: randomBytes(16).toString('hex'),
    encodingAESKey: randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'x'),
    apiBaseUrl: api.url,
    redisUrl: redis.url,
  };
  try {
    if (sections.has('micro')) {
      log('5. Per-operation cost…');
      report.micro = await runScript<MicroRow[]>('micro', {
        rounds: 5,
        roundMs: 400,
      } satisfies MicroInput);
    }
    if (sections.has('token')) {
      log('2. Token hot path…');
      report.token = await runScript<TokenHotResult>('token-hot', {
        redisUrl: redis.url,
        apiBaseUrl: api.url,
        appId: api.appId,
        appSecret: api.appSecret,
        calls: 5_000_000,
        rounds: 3,
      } satisfies TokenHotInput);
      log(
        `  ${Math.round(report.token.callsPerSecond)} calls/s, ${report.token.redisCommands} Redis commands`,
      );
    }
    if (sections.has('api')) {
      log('9. API calls through the client vs plain fetch…');
      report.api = await runScript<ApiCallsResult>('api-calls', {
        apiBaseUrl: api.url,
        appId: api.appId,
        appSecret: api.appSecret,
        inFlight: 64,
        rounds: 6,
        roundMs: 1500,
        warmupMs: 1500,
      } satisfies ApiCallsInput);
      log(
        `  client ${Math.round(report.api.clientPerSecond)} calls/s, fetch ${Math.round(report.api.fetchPerSecond)} calls/s, ratio ${report.api.ratio.toFixed(3)}`,
      );
      api.reset(); // the stand-in keeps every request it saw
    }
    if (sections.has('fleet')) {
      log('3. Fleet refresh…');
      report.fleet = await benchFleet(
        api,
        redis.url,
        { instances: [2, 4, 8], calls: [50, 500] },
        log,
      );
    }
    if (['callback', 'telemetry', 'profile'].some((name) => sections.has(name))) place(true);
    if (sections.has('callback')) {
      for (const adapter of adapters) {
        log(`1. Callback throughput (${adapter})…`);
        let server;
        try {
          server = await startServer(adapter, config, { cpuProfileDir, cpus: serverCpus });
        } catch (error: unknown) {
          const reason = error instanceof Error ? error.message : String(error);
          report.adapterNotes.push(`**${adapter}**: the server did not start (${reason}).`);
          continue;
        }
        let rows: CallbackRowResult[];
        try {
          rows = await benchCallbacks(server, config, settings, log);
        } finally {
          await server.stop();
        }
        report.callbacks.push(...rows);
        const skipped = rows.filter((row) => row.skipped);
        if (skipped.length > 0) {
          report.adapterNotes.push(
            `**${adapter}**: ${skipped.length} row(s) not measured because the one-off check of the reply failed (${skipped.map((row) => row.skipped).join('; ')}).`,
          );
        }
      }
    }
    if (sections.has('callback') && env.BENCH_DIAGNOSTIC !== '0') {
      // Where the callback's time goes: the same app with no Redis (in-memory push de-dup), so
      // the server's CPU for the fleet-wide de-dup is the difference from the main rows.
      for (const adapter of adapters) {
        const label = `${adapter}, no Redis`;
        log(`1b. Callback throughput (${label})…`);
        const server = await startServer(
          adapter,
          { ...config, redisUrl: undefined },
          { cpuProfileDir, cpus: serverCpus },
        );
        try {
          report.callbacks.push(
            ...(await benchCallbacks(server, config, settings, log, {
              label,
              rows: [BARE_ROW, SAFE_ECHO_ROW],
              group: 'no-redis',
            })),
          );
        } finally {
          await server.stop();
        }
      }
    }
    if (sections.has('telemetry')) {
      // The same safe-mode echo with and without an OpenTelemetry SDK in the server.
      for (const adapter of adapters) {
        log(`10. Instrumentation cost with the OpenTelemetry SDK (${adapter})…`);
        // Both servers on the server's CPU, as the callback rows (they run in turn, not at once).
        const without = await startServer(adapter, config, { cpus: serverCpus });
        const withSdk = await startServer(adapter, config, { otel: true, cpus: serverCpus });
        try {
          report.telemetry.push(
            await benchTelemetryOverhead(without, withSdk, config, settings, log),
          );
        } finally {
          await without.stop();
          await withSdk.stop();
        }
      }
    }
    if (sections.has('profile')) {
      // Where the safe-mode echo's time goes: a short run of that row alone under --cpu-prof.
      const profileRow = Number(env.BENCH_PROFILE_ROW ?? SAFE_ECHO_ROW);
      for (const adapter of adapters) {
        log(`6. CPU profile of the safe-mode echo (${adapter})…`);
        const dir = mkdtempSync(join(tmpdir(), 'wechat-bench-prof-'));
        try {
          const server = await startServer(adapter, config, {
            cpuProfileDir: dir,
            cpus: serverCpus,
          });
          let rows: CallbackRowResult[];
          try {
            rows = await benchCallbacks(
              server,
              config,
              { ...settings, warmupSeconds: 2, rounds: 1, durationSeconds: 5 },
              log,
              { label: `${adapter} (profiled)`, rows: [profileRow] },
            );
          } finally {
            await server.stop();
          }
          const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
          if (file && env.BENCH_PROFILE_KEEP) {
            mkdirSync(env.BENCH_PROFILE_KEEP, { recursive: true });
            copyFileSync(
              join(dir, file),
              join(env.BENCH_PROFILE_KEEP, `${adapter}-row${profileRow}.cpuprofile`),
            );
          }
          const row = rows[0];
          if (file && row && !row.skipped) {
            const pushes = row.warmupRequests + row.samples.reduce((n, s) => n + s.requests, 0);
            report.profiles.push(analyseProfile(join(dir, file), adapter, pushes));
          }
        } catch (error: unknown) {
          log(`  profile failed: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    place(false);
    const unpinnedRows = rowList(env.BENCH_UNPINNED_ROWS, [BARE_ROW, SAFE_ECHO_ROW]);
    if (sections.has('callback') && layout.pinned && unpinnedRows?.length !== 0) {
      // What a one-box deployment sees: the client, the server and Redis share every CPU.
      for (const adapter of adapters) {
        const label = `${adapter}, unpinned`;
        log(`1c. Callback throughput (${label})…`);
        const server = await startServer(adapter, config, { cpuProfileDir });
        try {
          report.callbacks.push(
            ...(await benchCallbacks(server, config, settings, log, {
              label,
              rows: unpinnedRows,
              group: 'unpinned',
            })),
          );
        } finally {
          await server.stop();
        }
      }
    }
    if (sections.has('accounts')) {
      log('8. Several accounts: a push with 1 vs 1 000 accounts, bytes per account…');
      const base = { rounds: 12, pushes: 4_000, accounts: 10_000 };
      const lookup = await runScript<AccountsLookupResult>('accounts', {
        ...base,
        part: 'lookup',
      } satisfies AccountsBenchInput);
      const memory = await runScript<AccountsMemoryResult>(
        'accounts',
        { ...base, part: 'memory' } satisfies AccountsBenchInput,
        { execArgv: ['--expose-gc'] },
      );
      report.accounts = { lookup, memory };
      log(
        `  ratio ${lookup.ratio.toFixed(3)}; ${Math.round(memory.bytesPerAccount)} bytes/account`,
      );
    }
    if (sections.has('memory')) {
      log(`4. Memory over ${settings.memoryPushes} safe-mode pushes…`);
      const server = await startServer('express', config, { cpuProfileDir });
      try {
        report.memory = await benchMemory(
          server,
          config,
          {
            pushes: settings.memoryPushes,
            warmupPushes: 20_000,
            connections: settings.connections,
          },
          log,
        );
      } finally {
        await server.stop();
      }
    }
  } finally {
    await api.close();
    await redis.stop();
  }
  report.elapsedSeconds = (Date.now() - startedAt) / 1000;
  const markdown = renderReport(report);
  const output = env.BENCH_OUTPUT ?? join(root, 'bench', 'results.md');
  writeFileSync(output, markdown);
  process.stdout.write(`${markdown}\n`);
  log(`Written to ${output}`);
  const measured = verdicts(report);
  const missed = measured.filter((verdict) => !verdict.pass);
  log(
    measured.length === 0
      ? 'No target measured by these sections.'
      : missed.length === 0
        ? 'All targets PASS.'
        : `${missed.length} target(s) MISSED.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
