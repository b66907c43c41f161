// Where the time goes: reads a V8 .cpuprofile of the server under test and splits its busy time
// into buckets (Redis round trips, protocol core, library plumbing, Nest, HTTP framework, Node).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileBucket {
  name: string;
  /** Share of the server's busy time (idle and start-up excluded). */
  share: number;
  /** Busy CPU time per push in this bucket, µs. */
  microsPerPush: number;
}

export interface ProfileBreakdown {
  label: string;
  pushes: number;
  idleShare: number;
  busyMicrosPerPush: number;
  buckets: ProfileBucket[];
}

/** Whole-stack rules: any frame of the stack matching puts the sample here. */
const STACK_RULES: [string, RegExp][] = [
  [
    'push de-dup: Redis round trips (ioredis)',
    /node_modules\/ioredis\/|dedup\/redis-|src\/redis\//,
  ],
  ['start-up (module loading)', /^node:internal\/modules\//],
];

/** Nearest-frame rules, tried from the sampled frame up to the root. */
const FRAME_RULES: [string, RegExp][] = [
  ['protocol core: signatures (SHA-1)', /core\/wechat-signature/],
  ['protocol core: AES (MsgCrypt)', /core\/(msg-crypt|aes-cbc|base64)/],
  ['protocol core: XML parse + typed message', /core\/wechat-(xml|message)|xml2js|\/sax\//],
  ['protocol core: reply XML', /core\/(wechat-reply|xml-text)/],
  [
    'library: guard, raw body, push service, de-dup wrapper, dispatch',
    /libs\/wechat\/src\/(webhook|dedup|discovery|crypto)\//,
  ],
  ['bench app (handlers, bare route)', /bench\/bench-app/],
  ['Nest (router, guards, params, interceptors)', /@nestjs\//],
  [
    'HTTP framework (Express / Fastify)',
    /node_modules\/(express|body-parser|router|finalhandler|send|etag|type-is|raw-body|fastify|find-my-way|fast-querystring|avvio|@fastify|light-my-request|on-finished|content-type|qs)\//,
  ],
  ['Node HTTP, sockets, streams', /^node:(_http|net|internal\/stream|internal\/streams|events)/],
];

export function analyseProfile(path: string, label: string, pushes: number): ProfileBreakdown {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  const labels = new Map<number, string>();
  const labelOf = (id: number): string => {
    const known = labels.get(id);
    if (known !== undefined) return known;
    const urls: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parents.get(cur)) {
      urls.push(nodes.get(cur)?.callFrame.url ?? '');
    }
    const leaf = nodes.get(id)?.callFrame.functionName ?? '';
    let result: string | undefined;
    if (leaf === '(idle)' || leaf === '(program)') result = leaf;
    else if (leaf === '(garbage collector)') result = 'garbage collector';
    result ??= STACK_RULES.find(([, rule]) => urls.some((url) => rule.test(url)))?.[0];
    for (const url of urls) {
      if (result !== undefined) break;
      result = FRAME_RULES.find(([, rule]) => rule.test(url))?.[0];
    }
    result ??= 'other';
    labels.set(id, result);
    return result;
  };
  const time = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const bucket = labelOf(id);
    time.set(bucket, (time.get(bucket) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const idle = time.get('(idle)') ?? 0;
  const excluded = new Set(['(idle)', 'start-up (module loading)']);
  let busy = 0;
  for (const [name, micros] of time) if (!excluded.has(name)) busy += micros;
  const buckets = [...time]
    .filter(([name]) => !excluded.has(name))
    .map(([name, micros]) => ({
      name,
      share: micros / busy,
      microsPerPush: micros / Math.max(1, pushes),
    }))
    .sort((a, b) => b.share - a.share);
  return {
    label,
    pushes,
    idleShare: idle / (idle + busy),
    busyMicrosPerPush: busy / Math.max(1, pushes),
    buckets,
  };
}
