// API calls per second through the client vs plain fetch, in one process against the local WeChat
// stand-in (which runs in the parent): `client.tags.list()` (token from the in-process cache,
// the request pipeline, JSON parse, the typed result) against `fetch(url with the same token)` +
// `JSON.parse` of the same endpoint, each with `inFlight` calls kept in flight on keep-alive
// connections (Node's fetch pools and reuses them), in alternating rounds of `roundMs`. Also
// counted per CPU second of this process, which a busy machine disturbs less than wall time.
import {
  AccessTokenService,
  MemoryAccessTokenStore,
  WechatClientService,
  WechatHttpClient,
  resolveWechatOptions,
} from '../libs/wechat/src';
import { median, serveScript } from './script';

export interface ApiCallsInput {
  apiBaseUrl: string;
  appId: string;
  appSecret: string;
  inFlight: number;
  rounds: number;
  roundMs: number;
  warmupMs: number;
}

export interface ApiCallsResult {
  inFlight: number;
  /** Median calls/s through the client. */
  clientPerSecond: number;
  /** Median calls/s with plain fetch. */
  fetchPerSecond: number;
  /** Median of the per-round ratios client / fetch. */
  ratio: number;
  /** Median calls per CPU second of this process (user + system), through the client. */
  clientPerCpuSecond: number;
  /** The same with plain fetch. */
  fetchPerCpuSecond: number;
  /** Median of the per-round ratios of calls per CPU second (robust to a busy machine). */
  cpuRatio: number;
  clientRounds: number[];
  fetchRounds: number[];
  failures: number;
}

async function rate(
  call: () => Promise<unknown>,
  inFlight: number,
  ms: number,
): Promise<{ perSecond: number; perCpuSecond: number; failures: number }> {
  let done = 0;
  let failures = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + ms;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        try {
          await call();
          done++;
        } catch {
          failures++;
        }
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    perSecond: done / ((performance.now() - started) / 1000),
    perCpuSecond: done / ((used.user + used.system) / 1e6),
    failures,
  };
}

async function run(input: ApiCallsInput): Promise<ApiCallsResult> {
  const options = resolveWechatOptions(
    { appId: input.appId, appSecret: input.appSecret, apiBaseUrl: input.apiBaseUrl },
    false,
  );
  const http = new WechatHttpClient(options);
  const tokens = new AccessTokenService(options, new MemoryAccessTokenStore(), http);
  const client = new WechatClientService(tokens, http, options);
  const token = await tokens.getAccessToken();
  const url = `${options.apiBaseUrl}/cgi-bin/tags/get?access_token=${encodeURIComponent(token)}`;
  const viaClient = async (): Promise<void> => {
    const { tags } = await client.tags.list();
    if (!Array.isArray(tags)) throw new Error('no tags');
  };
  const viaFetch = async (): Promise<void> => {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    const body = JSON.parse(await response.text()) as { errcode?: number; tags?: unknown };
    if (!response.ok || body.errcode || !Array.isArray(body.tags)) throw new Error('bad answer');
  };
  await rate(viaClient, input.inFlight, input.warmupMs);
  await rate(viaFetch, input.inFlight, input.warmupMs);
  const clientRounds: number[] = [];
  const fetchRounds: number[] = [];
  const ratios: number[] = [];
  const clientCpu: number[] = [];
  const fetchCpu: number[] = [];
  const cpuRatios: number[] = [];
  let failures = 0;
  for (let round = 0; round < input.rounds; round++) {
    // Alternate which side goes first, so a drift of the machine hits both alike.
    const order = round % 2 === 0 ? [viaClient, viaFetch] : [viaFetch, viaClient];
    const results = [];
    for (const call of order) results.push(await rate(call, input.inFlight, input.roundMs));
    const [c, f] = round % 2 === 0 ? results : [results[1], results[0]];
    clientRounds.push(c.perSecond);
    fetchRounds.push(f.perSecond);
    ratios.push(c.perSecond / f.perSecond);
    clientCpu.push(c.perCpuSecond);
    fetchCpu.push(f.perCpuSecond);
    cpuRatios.push(c.perCpuSecond / f.perCpuSecond);
    failures += c.failures + f.failures;
  }
  return {
    inFlight: input.inFlight,
    clientPerSecond: median(clientRounds),
    fetchPerSecond: median(fetchRounds),
    ratio: median(ratios),
    clientPerCpuSecond: median(clientCpu),
    fetchPerCpuSecond: median(fetchCpu),
    cpuRatio: median(cpuRatios),
    clientRounds,
    fetchRounds,
    failures,
  };
}

serveScript(run);
