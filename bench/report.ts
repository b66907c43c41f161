// Renders the bench results as one markdown document (bench/results.md).
import type { AccountsLookupResult, AccountsMemoryResult } from './accounts';
import type { CallbackRowResult, MemoryResult } from './callback';
import { mb } from './callback';
import type { FleetRowResult } from './fleet';
import type { MicroRow } from './micro';
import type { ProfileBreakdown } from './profile';
import type { TelemetryOverheadResult } from './telemetry';
import type { TokenHotResult } from './token-hot';
import type { ApiCallsResult } from './api-calls';

export interface BenchReport {
  machine: { cpus: number; cpuModel: string; node: string; platform: string; loadAvg: number[] };
  date: string;
  elapsedSeconds: number;
  settings: {
    rounds: number;
    durationSeconds: number;
    warmupSeconds: number;
    connections: number;
    memoryPushes: number;
  };
  callbacks: CallbackRowResult[];
  adapterNotes: string[];
  token?: TokenHotResult;
  api?: ApiCallsResult;
  fleet: FleetRowResult[];
  memory?: MemoryResult;
  micro: MicroRow[];
  profiles: ProfileBreakdown[];
  telemetry: TelemetryOverheadResult[];
  accounts?: { lookup: AccountsLookupResult; memory: AccountsMemoryResult };
}

export interface TargetVerdict {
  target: string;
  measured: string;
  pass: boolean;
}

export const TARGETS = {
  safeEchoRatio: 0.75,
  tokenCallsPerSecond: 1_000_000,
  fleetTokenCalls: 1,
  rssGrowthBytes: 10 * 1024 * 1024,
  telemetryRatio: 0.95,
  apiCallsRatio: 0.8,
  accountsLookupRatio: 0.95,
};

const num = (value: number, digits = 0): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : '—';

export function verdicts(report: BenchReport): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  for (const row of report.callbacks) {
    if (!row.name.startsWith('safe-mode text push') || row.skipped) continue;
    if (row.adapter.includes('diagnostic') || row.name.includes('diagnostic')) continue;
    out.push({
      target: `${row.adapter}: safe-mode echo ≥ ${TARGETS.safeEchoRatio} × bare route req/s`,
      measured: `${num(row.ratio, 3)} × (${num(row.rps)} req/s)`,
      pass: row.ratio >= TARGETS.safeEchoRatio && row.non2xx + row.errors === 0,
    });
  }
  for (const row of report.telemetry) {
    out.push({
      target: `${row.adapter}: safe-mode echo with the OpenTelemetry SDK + Prometheus exporter ≥ ${TARGETS.telemetryRatio} × without`,
      measured: `${num(row.ratio, 3)} (${num(row.withRps)} vs ${num(row.withoutRps)} req/s; ${num(row.handledCounted)} of ${num(row.requestsSent)} pushes counted)`,
      pass:
        row.ratio >= TARGETS.telemetryRatio &&
        row.non2xx + row.errors === 0 &&
        row.handledCounted >= row.requestsSent,
    });
  }
  if (report.token) {
    out.push({
      target: `getAccessToken() cached ≥ ${num(TARGETS.tokenCallsPerSecond)} calls/s, 0 Redis round trips`,
      measured: `${num(report.token.callsPerSecond)} calls/s, ${report.token.redisCommands} Redis commands`,
      pass:
        report.token.callsPerSecond >= TARGETS.tokenCallsPerSecond &&
        report.token.redisCommands === 0,
    });
  }
  if (report.api) {
    out.push({
      target: `API calls through the client ≥ ${TARGETS.apiCallsRatio} × plain fetch calls/s (${report.api.inFlight} in flight)`,
      measured: `${num(report.api.ratio, 3)} × (${num(report.api.clientPerSecond)} vs ${num(report.api.fetchPerSecond)} calls/s)`,
      pass: report.api.ratio >= TARGETS.apiCallsRatio && report.api.failures === 0,
    });
  }
  if (report.fleet.length > 0) {
    const bad = report.fleet.filter(
      (row) => row.tokenCalls !== TARGETS.fleetTokenCalls || row.failed > 0,
    );
    out.push({
      target: 'fleet: exactly 1 upstream token call in every row, every call succeeds',
      measured: `token calls per row: ${report.fleet.map((row) => row.tokenCalls).join(', ')}; failed calls: ${report.fleet.reduce((sum, row) => sum + row.failed, 0)}`,
      pass: bad.length === 0,
    });
  }
  if (report.memory) {
    out.push({
      target: `RSS growth ≤ ${mb(TARGETS.rssGrowthBytes)} MB over ${num(report.memory.pushes)} safe-mode pushes`,
      measured: `${mb(report.memory.rssGrowthBytes)} MB (after GC vs before)`,
      pass:
        report.memory.rssGrowthBytes <= TARGETS.rssGrowthBytes &&
        report.memory.non2xx + report.memory.errors === 0,
    });
  }
  if (report.accounts) {
    const { lookup } = report.accounts;
    out.push({
      target: `a push with ${num(lookup.manyAccounts)} accounts registered ≥ ${TARGETS.accountsLookupRatio} × with 1`,
      measured: `${num(lookup.ratio, 3)} × (${num(lookup.manyRps)} vs ${num(lookup.oneRps)} pushes/s)`,
      pass: lookup.ratio >= TARGETS.accountsLookupRatio,
    });
  }
  return out;
}

export function renderReport(report: BenchReport): string {
  const { machine, settings } = report;
  const lines: string[] = [];
  const push = (...more: string[]): void => {
    lines.push(...more);
  };
  push(
    '# Benchmark results',
    '',
    `Generated by \`npm run bench\` on ${report.date} — ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, ${machine.platform}; load average at start ${machine.loadAvg.map((v) => v.toFixed(2)).join(' / ')}; the run took ${Math.round(report.elapsedSeconds)} s.`,
    '',
    `Callback rows: autocannon (library, in the bench process) → the app under test (its own process, compiled JS) on loopback; ${settings.connections} connections, ${settings.warmupSeconds} s warm-up per row, then ${settings.rounds} rounds × ${settings.durationSeconds} s with the rows alternated; medians reported. A row's × bare is the median over the rounds of its req/s divided by the bare route's around it (the mean of the bare run that opened its round and the one that opened the next), so a slower phase of the shared machine moves both sides. Every request is a distinct signed push (distinct MsgId / FromUserName+CreateTime), pre-generated outside the timed window. Ratios compare rows of the same run and adapter; the machine is shared, so absolute numbers are noisy.`,
    '',
    '## Targets',
    '',
    '| Target | Measured | Result |',
    '| --- | --- | --- |',
  );
  for (const verdict of verdicts(report)) {
    push(`| ${verdict.target} | ${verdict.measured} | ${verdict.pass ? 'PASS' : '**MISS**'} |`);
  }
  push(
    '',
    '## 1. Callback throughput and latency',
    '',
    '| Adapter | Request | req/s | p50 (ms) | p99 (ms) | × bare | Notes |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  );
  for (const row of report.callbacks) {
    if (row.skipped) {
      push(
        `| ${row.adapter} | ${row.name} | — | — | — | — | not measured: ${row.skipped.replace(/\|/g, '/')} |`,
      );
      continue;
    }
    const notes: string[] = [`rounds: ${row.samples.map((s) => num(s.rps)).join(' / ')}`];
    if (!row.name.includes('baseline')) {
      notes.push(`× bare per round: ${row.roundRatios.map((r) => num(r, 2)).join(' / ')}`);
    }
    if (row.non2xx + row.errors > 0) notes.push(`${row.non2xx} non-2xx, ${row.errors} errors`);
    if (row.generatedLive > 0) notes.push(`${row.generatedLive} pushes signed live`);
    push(
      `| ${row.adapter} | ${row.name} | ${num(row.rps)} | ${num(row.p50)} | ${num(row.p99)} | ${num(row.ratio, 2)} | ${notes.join('; ')} |`,
    );
  }
  for (const note of report.adapterNotes) push('', note);
  push('', '## 2. Token hot path', '');
  if (report.token) {
    const token = report.token;
    push(
      '| Measure | Value |',
      '| --- | ---: |',
      `| \`getAccessToken()\` calls/s (cached, awaited, one process; median of ${token.rounds.length} rounds) | ${num(token.callsPerSecond)} |`,
      `| ns per call | ${num(1e9 / token.callsPerSecond, 1)} |`,
      `| Redis commands during ${num(token.totalCalls)} calls (INFO commandstats delta) | ${token.redisCommands} |`,
      `| Redis round trips per call | ${token.redisCommandsPerCall} |`,
    );
  } else {
    push('Not measured.');
  }
  push(
    '',
    '## 3. Fleet refresh from cold',
    '',
    'K processes (own ioredis connection, AccessTokenService, WechatClientService) each start M concurrent `sendTemplateMessage()` calls at once against the local WeChat API stand-in, with an empty shared cache.',
    '',
    '| Instances (K) | Calls each (M) | Upstream token calls | Calls succeeded | Failed | Time until all succeeded (ms) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of report.fleet) {
    push(
      `| ${row.instances} | ${row.callsPerInstance} | ${row.tokenCalls} | ${num(row.succeeded)} | ${row.failed}${row.firstError ? ` (${row.firstError.replace(/\|/g, '/')})` : ''} | ${num(row.wallMs)} |`,
    );
  }
  push('', '## 4. Memory of the server', '');
  if (report.memory) {
    const memory = report.memory;
    push(
      `${memory.adapter}, started with \`--expose-gc\`; ${num(memory.warmupPushes)} warm-up pushes first; GC forced through the bench-only \`POST /bench/gc\` route${memory.gcExposed ? '' : ' (**gc was not exposed**)'}.`,
      '',
      '| Moment | RSS (MB) | Heap used (MB) | Heap total (MB) | External (MB) |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| before (after warm-up + GC) | ${mb(memory.before.rss)} | ${mb(memory.before.heapUsed)} | ${mb(memory.before.heapTotal)} | ${mb(memory.before.external)} |`,
      `| after ${num(memory.pushes)} safe-mode pushes | ${mb(memory.after.rss)} | ${mb(memory.after.heapUsed)} | ${mb(memory.after.heapTotal)} | ${mb(memory.after.external)} |`,
      `| after forced GC | ${mb(memory.afterGc.rss)} | ${mb(memory.afterGc.heapUsed)} | ${mb(memory.afterGc.heapTotal)} | ${mb(memory.afterGc.external)} |`,
      `| **growth** (after GC − before) | **${mb(memory.rssGrowthBytes)}** | ${mb(memory.afterGc.heapUsed - memory.before.heapUsed)} | | |`,
      '',
      `RSS / heap used (MB, no GC) after each chunk: ${memory.checkpoints.map((c) => `${num(c.pushes)}: ${mb(c.rss)} / ${mb(c.heapUsed)}`).join(' · ')}.`,
    );
    if (memory.non2xx + memory.errors > 0) {
      push('', `${memory.non2xx} non-2xx answers and ${memory.errors} errors during the pushes.`);
    }
  } else {
    push('Not measured.');
  }
  push(
    '',
    '## 5. Per-operation cost (protocol core)',
    '',
    '| Operation | What | µs/op | ops/s |',
    '| --- | --- | ---: | ---: |',
  );
  for (const row of report.micro) {
    push(
      `| ${row.name} | ${row.detail} | ${num(row.microseconds, 2)} | ${num(row.opsPerSecond)} |`,
    );
  }
  if (report.profiles.length > 0) {
    push(
      '',
      '## 6. Where the safe-mode echo spends its time (CPU profile of the server)',
      '',
      'A separate short run of the safe-mode echo row alone (2 s warm-up + 5 s) with the server under `--cpu-prof`; samples are bucketed by the code on the stack (any ioredis frame → Redis; otherwise the nearest recognised frame). Shares are of the busy time (idle and module loading excluded; Nest bootstrap is included); µs per push = busy time in the bucket / pushes served. The profiler itself slows the server down.',
    );
    for (const profile of report.profiles) {
      push(
        '',
        `**${profile.label}** — ${num(profile.pushes)} pushes, ${num(profile.busyMicrosPerPush)} µs of CPU per push, server idle ${num(profile.idleShare * 100)} % of the time.`,
        '',
        '| Where | Share of busy time | µs per push |',
        '| --- | ---: | ---: |',
      );
      for (const bucket of profile.buckets) {
        push(
          `| ${bucket.name} | ${num(bucket.share * 100, 1)} % | ${num(bucket.microsPerPush, 1)} |`,
        );
      }
    }
  }
  if (report.telemetry.length > 0) {
    push(
      '',
      '## 10. What the instrumentation costs with an OpenTelemetry SDK installed',
      '',
      "Two servers of the same build side by side, one with the OpenTelemetry metrics SDK and a Prometheus exporter installed (`BENCH_OTEL=1`, as the demo does), one without; their safe-mode echo runs alternate (the order flips every round) and each round's ratio is with ÷ without. Without an SDK the module's calls into `@opentelemetry/api` are no-ops. The last column checks that the SDK server counted every push the client saw answered as `handled` (it counts a few more: autocannon leaves out the requests still in flight when a run ends). Section 5's last two rows are the same instrumentation in one process, per push.",
      '',
      '| Adapter | Without (req/s) | With the SDK (req/s) | With ÷ without | Per round | Pushes counted |',
      '| --- | ---: | ---: | ---: | --- | ---: |',
      ...report.telemetry.map(
        (row) =>
          `| ${row.adapter} | ${num(row.withoutRps)} | ${num(row.withRps)} | ${num(row.ratio, 3)} | ${row.roundRatios.map((r) => num(r, 2)).join(' / ')} | ${num(row.handledCounted)} of ${num(row.requestsSent)} |`,
      ),
    );
  }
  const remains = missedTargetNotes(report);
  if (remains.length > 0) {
    push(
      '',
      '## 7. What remains where the callback target is missed',
      '',
      "From the rows above, as time per request on the whole machine (the client, the server and Redis share its cores): a row at ratio r costs the bare route's time × (1/r − 1) more per request. The protocol core is the sum of section 5 for one safe-mode push (URL signature check, decryption with its `msg_signature` check, both XML parses, the reply XML, the encrypted and signed reply).",
      '',
      '| Adapter | Bare route (µs/request) | A push may add, at 0.75 (µs) | It adds (µs) | Callback shape alone (µs) | Protocol core (µs) | Left for handling and de-dup at 0.75 (µs) | They take (µs) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...remains.map(
        (note) =>
          `| ${note.adapter} | ${num(note.bareMicros, 1)} | ${num(note.budget, 1)} | ${num(note.added, 1)} | ${num(note.shape, 1)} | ${num(note.core, 1)} | ${num(note.budget - note.shape - note.core, 1)} | ${num(note.added - note.shape - note.core, 1)} |`,
      ),
      '',
      'Where the last but one column is near zero or below, the target cannot be met without dropping work a push needs: the exactly-once de-dup (a Redis claim and the recorded answer, section 6) or the encrypted reply. See the README (Benchmarks) for what was done.',
    );
  }
  if (report.accounts) {
    const { lookup, memory } = report.accounts;
    push(
      '',
      '## 8. Several Official Accounts',
      '',
      `A plaintext text push through the guard (account lookup by the path's name, signature) and the push service (parse, in-memory de-dup, echo handler, reply XML), in one process with no HTTP so the lookup's share is as large as it gets; ${lookup.ratios.length} alternating rounds against an app with 1 account and one with ${num(lookup.manyAccounts)}. Memory: heap after GC, ${num(memory.accounts)} accounts registered at run time.`,
      '',
      '| Measure | Result |',
      '| --- | ---: |',
      `| pushes/s, 1 account | ${num(lookup.oneRps)} |`,
      `| pushes/s, ${num(lookup.manyAccounts)} accounts | ${num(lookup.manyRps)} |`,
      `| ratio (median of the rounds' ratios) | ${num(lookup.ratio, 3)} |`,
      `| heap bytes per account (receives pushes only) | ${num(memory.bytesPerAccount)} |`,
      `| heap bytes per account (its API client used too) | ${num(memory.bytesPerAccountWithClient)} |`,
    );
  }
  if (report.api) {
    const api = report.api;
    push(
      '',
      '## 9. API calls through the client',
      '',
      `\`client.tags.list()\` (the cached token, the request pipeline, the typed result) against plain \`fetch\` + \`JSON.parse\` of the same endpoint with the same token, both against the local WeChat stand-in, ${api.inFlight} calls in flight on keep-alive connections, in ${api.clientRounds.length} alternating rounds per side.`,
      '',
      '| | calls/s (median) | rounds |',
      '| --- | ---: | --- |',
      `| through the client | ${num(api.clientPerSecond)} | ${api.clientRounds.map((r) => num(r)).join(', ')} |`,
      `| plain fetch | ${num(api.fetchPerSecond)} | ${api.fetchRounds.map((r) => num(r)).join(', ')} |`,
      `| ratio (median of the per-round ratios) | ${num(api.ratio, 3)} | failed calls: ${api.failures} |`,
      '',
      `Per CPU second of the calling process (user + system; the stand-in runs in another process): ${num(api.clientPerCpuSecond)} calls through the client, ${num(api.fetchPerCpuSecond)} with plain fetch, ratio ${num(api.cpuRatio, 3)}. Load average at the start of the run: ${report.machine.loadAvg.map((l) => l.toFixed(2)).join(', ')} on ${report.machine.cpus} CPUs.`,
    );
  }
  push('');
  return lines.join('\n');
}

interface MissedTargetNote {
  adapter: string;
  bareMicros: number;
  budget: number;
  added: number;
  shape: number;
  core: number;
}

/** Names of the section 5 operations one safe-mode echo push performs once each. */
const SAFE_PUSH_OPERATIONS = [
  'signature check',
  'decrypt',
  'XML parse (envelope)',
  'XML parse (message)',
  'reply build',
  'encrypt reply',
];

/** The decomposition of a missed safe-mode echo target, per adapter (section 7). */
function missedTargetNotes(report: BenchReport): MissedTargetNote[] {
  const core = SAFE_PUSH_OPERATIONS.reduce(
    (sum, name) => sum + (report.micro.find((row) => row.name === name)?.microseconds ?? NaN),
    0,
  );
  const notes: MissedTargetNote[] = [];
  const adapters = new Set(report.callbacks.map((row) => row.adapter));
  for (const adapter of adapters) {
    if (adapter.includes('diagnostic')) continue;
    const rows = report.callbacks.filter((row) => row.adapter === adapter && !row.skipped);
    const bare = rows.find((row) => row.name.startsWith('bare'));
    const shape = rows.find((row) => row.name.startsWith('callback shape'));
    const safe = rows.find((row) => row.name.startsWith('safe-mode text push'));
    if (!bare || !shape || !safe || safe.ratio >= TARGETS.safeEchoRatio) continue;
    const bareMicros = 1e6 / bare.rps;
    const extra = (ratio: number): number => bareMicros * (1 / ratio - 1);
    notes.push({
      adapter,
      bareMicros,
      budget: extra(TARGETS.safeEchoRatio),
      added: extra(safe.ratio),
      shape: Math.max(extra(shape.ratio), 0),
      core,
    });
  }
  return notes;
}
