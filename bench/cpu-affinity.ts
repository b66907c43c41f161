// CPU pinning of the bench's processes with `taskset` (util-linux): the server under test gets a
// CPU of its own, the load generator (this process) and redis-server share the others, the way a
// production server has its core to itself while WeChat's traffic and Redis come from elsewhere.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Where the callback rows' processes run. */
export interface CpuLayout {
  /** Whether the processes are pinned; when false, {@link reason} says why not. */
  readonly pinned: boolean;
  readonly reason?: string;
  /** The CPU list (taskset -c syntax) of the server under test, e.g. `1`. */
  readonly server: string;
  /** The CPU list of the load generator and redis-server, e.g. `0`. */
  readonly others: string;
  /** Every CPU this process may use (what an unpinned process gets back), e.g. `0,1`. */
  readonly all: string;
}

function taskset(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('taskset', args, { encoding: 'utf8' });
  if (result.error) return { ok: false, output: result.error.message };
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** The CPUs `pid` may run on, as numbers, from `taskset -pc`; undefined when taskset fails. */
export function affinityOf(pid: number): number[] | undefined {
  const probe = taskset(['-pc', String(pid)]);
  const list = probe.ok ? /affinity list:\s*([\d,-]+)/.exec(probe.output)?.[1] : undefined;
  if (!list) return undefined;
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    for (let cpu = from; cpu <= to; cpu += 1) cpus.push(cpu);
  }
  return cpus;
}

/**
 * The layout for this machine: the last CPU this process may use for the server, the rest for
 * everything else, when there are at least two and `taskset` works; otherwise unpinned, with why.
 */
export function planCpuLayout(): CpuLayout {
  const allowed = affinityOf(process.pid);
  const all = allowed?.join(',') ?? '';
  const unpinned = (reason: string): CpuLayout => ({
    pinned: false,
    reason,
    server: all,
    others: all,
    all,
  });
  if (availableParallelism() < 2) return unpinned('os.availableParallelism() is below 2');
  if (!allowed) return unpinned('`taskset` (util-linux) is missing or failed');
  if (allowed.length < 2) return unpinned(`this process may use only CPU ${all}`);
  return {
    pinned: true,
    server: String(allowed[allowed.length - 1]),
    others: allowed.slice(0, -1).join(','),
    all,
  };
}

/** Sets the CPUs of every thread of `pid` (`taskset -a -pc`); throws when taskset refuses. */
export function pinProcess(pid: number, cpus: string): void {
  const result = taskset(['-a', '-pc', cpus, String(pid)]);
  if (!result.ok) throw new Error(`taskset -a -pc ${cpus} ${pid} failed: ${result.output}`);
}
