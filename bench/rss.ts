import { readFileSync, readdirSync } from 'node:fs';

/** One process of the API: the one the bench started, or a `node:cluster` worker it forked. */
export interface ApiProcess {
  pid: number;
  role: 'primary' | 'worker';
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended meanwhile
  }
}

/** Direct children of `pid` (all its threads' `children` files: a child belongs to the thread that forked it). */
export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((tid) => (read(`/proc/${pid}/task/${tid}/children`) ?? '').trim().split(/\s+/));
  return [...new Set(children.filter((child) => child !== '').map(Number))];
}

/** Whether `pid` is a `node:cluster` worker (the primary gives each one NODE_UNIQUE_ID). */
export function isClusterWorker(pid: number): boolean {
  return (read(`/proc/${pid}/environ`) ?? '').split('\0').some((entry) => entry.startsWith('NODE_UNIQUE_ID='));
}

/** The API's processes: the primary, plus the cluster workers among its children. */
export function apiProcesses(primary: number): ApiProcess[] {
  const workers = childrenOf(primary).filter(isClusterWorker);
  return [{ pid: primary, role: 'primary' }, ...workers.map((pid) => ({ pid, role: 'worker' as const }))];
}

/** VmRSS of `pid` in MB (resident memory, as `ps` and `top` show it), or undefined once it has ended. */
export function rssMb(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) / 1024 : undefined;
}

export interface RssSample {
  at: number;
  mb: number;
}

/**
 * Samples the RSS of every API process (primary and cluster workers, found again at each sample so
 * a worker forked or replaced meanwhile is seen) every `intervalMs`, from /proc: no cost in the API.
 */
export class RssSampler {
  private readonly samples = new Map<number, { role: ApiProcess['role']; series: RssSample[] }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly primary: number,
    intervalMs = 500,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const at = performance.now();
    for (const { pid, role } of apiProcesses(this.primary)) {
      const mb = rssMb(pid);
      if (mb === undefined) {
        continue;
      }
      const entry = this.samples.get(pid) ?? { role, series: [] };
      entry.series.push({ at, mb });
      this.samples.set(pid, entry);
    }
  }

  /** Every process seen, with its samples taken in [from, to] (performance.now() times). */
  window(from = 0, to = Number.POSITIVE_INFINITY): { pid: number; role: ApiProcess['role']; series: RssSample[] }[] {
    return [...this.samples.entries()].map(([pid, { role, series }]) => ({
      pid,
      role,
      series: series.filter((sample) => sample.at >= from && sample.at <= to),
    }));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export function median(values: number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
