// Renders the bench results as one markdown document (bench/results.md).
import type { AccountsLookupResult, AccountsMemoryResult } from './accounts';
import type { CallbackRowResult, MemoryResult, RowGroup } from './callback';
import { mb } from './callback';
import type { CpuLayout } from './cpu-affinity';
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
  /** Where the callback rows' processes ran; absent in reports from before pinning. */
  cpuLayout?: CpuLayout;
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
  safeEchoCpuRatio: 0.75,
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
  const placement = report.cpuLayout?.pinned ? 'server pinned' : 'server NOT pinned';
  for (const row of report.callbacks) {
    if (!row.name.startsWith('safe-mode text push') || row.skipped) continue;
    if (row.group !== 'main') continue;
    const clean = row.non2xx + row.errors === 0;
    out.push({
      target: `${row.adapter}: safe-mode echo ≥ ${TARGETS.safeEchoRatio} × bare route req/s (${placement})`,
      measured: `${num(row.ratio, 3)} × (${num(row.rps)} req/s)`,
      pass: row.ratio >= TARGETS.safeEchoRatio && clean,
    });
    out.push({
      target: `${row.adapter}: server CPU per request, bare route / safe-mode echo ≥ ${TARGETS.safeEchoCpuRatio}`,
      measured: `${num(row.cpuRatio, 3)} (${num(row.cpuPerRequest, 1)} µs per push)`,
      pass: row.cpuRatio >= TARGETS.safeEchoCpuRatio && clean,
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
  const layout = report.cpuLayout;
  push(
    '',
    '## 1. Callback throughput, latency and server CPU per request',
    '',
    layout?.pinned
      ? `The server under test runs on CPU ${layout.server} alone (\`taskset -a\`, every thread); autocannon (this process) and redis-server run on CPU ${layout.others}. So the server's req/s is not cut by the load generator's or Redis's work, as in production where Redis is another machine and WeChat's traffic comes from outside.`
      : `**The processes could not be pinned** (${layout?.reason ?? 'no CPU layout recorded'}): the client, the server and Redis share every CPU, as in a one-box deployment, and there is no separate unpinned section.`,
    '',
    "Server CPU is the server process's own CPU time (`process.cpuUsage()`, all threads, read through the bench-only `GET /bench/cpu` route before and after each round) divided by the round's requests; its ratio is the bare route's CPU per request (around the round, as for × bare) over the row's, the callback's cost whatever the load generator's speed. Server busy is the server's CPU time over the round's wall time (100 % = one CPU); below 100 % with the server pinned, the load generator (or another process on the server's CPU) set the pace, not the server. Client and Redis CPU are this process's (autocannon's) and redis-server's CPU time per request in the same rounds (INFO cpu).",
    '',
  );
  renderCallbackTable(push, groupRows(report, 'main'));
  const noRedis = groupRows(report, 'no-redis');
  if (noRedis.length > 0) {
    push(
      '',
      '### 1b. The same app with no Redis (diagnostic)',
      '',
      `In-memory push de-dup and token cache; the server placed as in section 1. The in-memory de-dup keeps every answer for \`dedupTtlSeconds\` (60 s) in the server's heap, so over a run of about a minute its map grows to every push of the run and the garbage collector's work with it: these rows are no zero-cost baseline for the de-dup (section 7 takes the Redis client's cost from the profile instead).`,
      '',
    );
    renderCallbackTable(push, noRedis);
  }
  const unpinned = groupRows(report, 'unpinned');
  if (unpinned.length > 0) {
    push(
      '',
      '### 1c. Nothing pinned (diagnostic)',
      '',
      'What a one-box deployment sees: the client, the server and Redis share every CPU, so whatever Redis and autocannon spend per request is taken from the server, and × bare falls further than the server CPU ratio.',
      '',
    );
    renderCallbackTable(push, unpinned);
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
      'A separate short run of the safe-mode echo row alone (2 s warm-up + 5 s) with the server under `--cpu-prof`, placed as in section 1; samples are bucketed by the code on the stack (any ioredis frame → Redis; otherwise the nearest recognised frame). Shares are of the busy time (idle and module loading excluded; Nest bootstrap is included); µs per push = busy time in the bucket / pushes served. The profiler itself slows the server down.',
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
      "Two servers of the same build side by side (both on the server's CPU of section 1), one with the OpenTelemetry metrics SDK and a Prometheus exporter installed (`BENCH_OTEL=1`, as the demo does), one without; their safe-mode echo runs alternate (the order flips every round) and each round's ratio is with ÷ without. Without an SDK the module's calls into `@opentelemetry/api` are no-ops. The last column checks that the SDK server counted every push the client saw answered as `handled` (it counts a few more: autocannon leaves out the requests still in flight when a run ends). Section 5's last two rows are the same instrumentation in one process, per push.",
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
      '## 7. What remains where a callback target is missed',
      '',
      "From section 1, as the server's own CPU time per request (Redis's and the client's work are not in it): a row at CPU ratio r costs the bare route's CPU × (1/r − 1) more per request. The protocol core is the sum of section 5 for one safe-mode push (URL signature check, decryption with its `msg_signature` check, both XML parses, the reply XML, the encrypted and signed reply).",
      '',
      "The push's extra CPU is split into: the callback's HTTP shape (the shape row's extra over the bare route); the protocol core; the Redis client (ioredis, for the fleet-wide de-dup: its share of the server's busy time in the profile of section 6 × the row's CPU per request); and the rest (the push service, de-dup bookkeeping, dispatch, the handler, the garbage their allocations cost).",
      '',
      '| Adapter | Bare route (µs CPU/request) | Safe-mode echo (µs CPU/request) | A push may add, at 0.75 (µs) | It adds (µs) | Callback shape (µs) | Protocol core (µs) | Redis client (µs) | The rest (µs) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...remains.map(
        (note) =>
          `| ${note.adapter} | ${num(note.bareMicros, 1)} | ${num(note.safeMicros, 1)} | ${num(note.budget, 1)} | ${num(note.added, 1)} | ${num(note.shape, 1)} | ${num(note.core, 1)} | ${num(note.redisDedup, 1)} | ${num(note.added - note.shape - note.core - (Number.isFinite(note.redisDedup) ? note.redisDedup : 0), 1)} |`,
      ),
      '',
      'Where the callback shape and the protocol core alone use up what a push may add, the target cannot be met without dropping work a push needs: the signature checks, the decryption and the encrypted, signed reply, or the exactly-once de-dup (a Redis claim and the recorded answer). See the README (Benchmarks) for what was done.',
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

function groupRows(report: BenchReport, group: RowGroup): CallbackRowResult[] {
  return report.callbacks.filter((row) => row.group === group);
}

/** One table of callback rows (section 1, 1b, 1c). */
function renderCallbackTable(push: (...more: string[]) => void, rows: CallbackRowResult[]): void {
  push(
    '| Adapter | Request | req/s | p50 (ms) | p99 (ms) | × bare | Server CPU (µs/request) | CPU ratio (bare / row) | Server busy | Client / Redis CPU (µs/request) | Notes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const row of rows) {
    if (row.skipped) {
      push(
        `| ${row.adapter} | ${row.name} | — | — | — | — | — | — | — | — | not measured: ${row.skipped.replace(/\|/g, '/')} |`,
      );
      continue;
    }
    const notes: string[] = [`rounds: ${row.samples.map((s) => num(s.rps)).join(' / ')}`];
    if (!row.name.includes('baseline')) {
      notes.push(`× bare per round: ${row.roundRatios.map((r) => num(r, 2)).join(' / ')}`);
      notes.push(`CPU ratio per round: ${row.cpuRoundRatios.map((r) => num(r, 2)).join(' / ')}`);
    }
    if (row.redisScriptCallsPerRequest > 0) {
      notes.push(`Redis script calls per request: ${num(row.redisScriptCallsPerRequest, 3)}`);
    }
    if (row.non2xx + row.errors > 0) notes.push(`${row.non2xx} non-2xx, ${row.errors} errors`);
    if (row.generatedLive > 0) notes.push(`${row.generatedLive} pushes signed live`);
    push(
      `| ${row.adapter} | ${row.name} | ${num(row.rps)} | ${num(row.p50)} | ${num(row.p99)} | ${num(row.ratio, 2)} | ${num(row.cpuPerRequest, 1)} | ${num(row.cpuRatio, 2)} | ${num(row.serverBusy * 100)} % | ${num(row.clientCpuPerRequest)} / ${num(row.redisCpuPerRequest)} | ${notes.join('; ')} |`,
    );
  }
}

interface MissedTargetNote {
  adapter: string;
  bareMicros: number;
  safeMicros: number;
  budget: number;
  added: number;
  shape: number;
  core: number;
  /** The server CPU the Redis client takes per push (profile share × CPU); NaN without section 6. */
  redisDedup: number;
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
  const main = groupRows(report, 'main');
  const adapters = new Set(main.map((row) => row.adapter));
  for (const adapter of adapters) {
    const rows = main.filter((row) => row.adapter === adapter && !row.skipped);
    const bare = rows.find((row) => row.name.startsWith('bare'));
    const shape = rows.find((row) => row.name.startsWith('callback shape'));
    const safe = rows.find((row) => row.name.startsWith('safe-mode text push'));
    if (!bare || !shape || !safe) continue;
    if (safe.ratio >= TARGETS.safeEchoRatio && safe.cpuRatio >= TARGETS.safeEchoCpuRatio) continue;
    const bareMicros = bare.cpuPerRequest;
    const extra = (ratio: number): number => bareMicros * (1 / ratio - 1);
    const redisShare =
      report.profiles
        .find((profile) => profile.label === adapter)
        ?.buckets.find((bucket) => bucket.name.startsWith('push de-dup: Redis'))?.share ?? NaN;
    notes.push({
      adapter,
      bareMicros,
      safeMicros: safe.cpuPerRequest,
      budget: extra(TARGETS.safeEchoCpuRatio),
      added: extra(safe.cpuRatio),
      shape: Math.max(extra(shape.cpuRatio), 0),
      core,
      redisDedup: redisShare * safe.cpuPerRequest,
    });
  }
  return notes;
}
