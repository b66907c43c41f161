// Section 3: K instances (separate processes, bench/fleet-worker.ts) × M concurrent API calls from
// cold; counts upstream /cgi-bin/token calls on the local WeChat API stand-in.
import type { ChildProcess } from 'node:child_process';
import type { WechatApiServer } from '../libs/wechat/src/testing';
import type { FleetMessage, FleetRunResult, FleetSetup } from './fleet-worker';
import { exitOf, forkScript } from './processes';

export interface FleetRowResult {
  instances: number;
  callsPerInstance: number;
  tokenCalls: number;
  succeeded: number;
  failed: number;
  /** From the first call's start to the last call's success, in ms. */
  wallMs: number;
  firstError?: string;
}

class FleetWorker {
  private waiter: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  readonly started: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    this.started = new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`fleet worker exited with code ${code}`)));
      child.on('message', (message: { type: string; result?: unknown; error?: string }) => {
        if (message.type === 'started') return resolve();
        const waiter = this.waiter;
        this.waiter = undefined;
        if (message.type === 'done') waiter?.resolve(message.result);
        else waiter?.reject(new Error(message.error ?? 'fleet worker failed'));
      });
    });
  }

  request(message: FleetMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.child.send(message);
    });
  }

  async stop(): Promise<void> {
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies FleetMessage);
    await exitOf(this.child);
  }
}

export async function benchFleet(
  api: WechatApiServer,
  redisUrl: string,
  shape: { instances: number[]; calls: number[] },
  log: (line: string) => void,
): Promise<FleetRowResult[]> {
  const workers = Array.from(
    { length: Math.max(...shape.instances) },
    () => new FleetWorker(forkScript('fleet-worker')),
  );
  const rows: FleetRowResult[] = [];
  try {
    await Promise.all(workers.map((worker) => worker.started));
    let run = 0;
    for (const instances of shape.instances) {
      for (const callsPerInstance of shape.calls) {
        run += 1;
        const setup: FleetSetup = {
          redisUrl,
          apiBaseUrl: api.url,
          appId: api.appId,
          appSecret: api.appSecret,
          // A key prefix of its own: the shared cache is cold, and fresh services are cold too.
          keyPrefix: `bench-fleet-${Date.now()}-${run}:`,
        };
        const fleet = workers.slice(0, instances);
        await Promise.all(fleet.map((worker) => worker.request({ type: 'setup', setup })));
        const tokenCallsBefore = api.calls('/cgi-bin/token');
        const results = (await Promise.all(
          fleet.map((worker) => worker.request({ type: 'go', calls: callsPerInstance })),
        )) as FleetRunResult[];
        const errors = results.flatMap((result) => result.errors);
        const row: FleetRowResult = {
          instances,
          callsPerInstance,
          tokenCalls: api.calls('/cgi-bin/token') - tokenCallsBefore,
          succeeded: results.reduce((sum, result) => sum + result.ok, 0),
          failed: errors.length,
          wallMs:
            Math.max(...results.map((result) => result.finishedAt)) -
            Math.min(...results.map((result) => result.startedAt)),
          firstError: errors[0],
        };
        rows.push(row);
        log(
          `  fleet ${instances} × ${callsPerInstance}: ${row.tokenCalls} token call(s), ${row.succeeded} ok, ${row.failed} failed, ${row.wallMs} ms`,
        );
      }
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
  return rows;
}
