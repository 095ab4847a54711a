import { readdirSync, readFileSync } from 'node:fs';

// USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK); /proc/<pid>/stat counts in it.
const TICKS_PER_SECOND = 100;

interface Stat {
  ppid: number;
  /** utime + stime, plus cutime + cstime: children that exited (and were waited for) still count. */
  ticks: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(fields[i - 3]);
    return { ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) };
  } catch {
    return undefined; // gone
  }
}

/** Every live process's parent, read once per sample. */
function parents(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  return children;
}

/** The roots and all their descendants, each once. */
export function processTree(roots: number[], children = parents()): number[] {
  const seen = new Set<number>();
  const queue = roots.filter((pid) => pid > 0);
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/** CPU seconds used so far by the roots' process trees. */
export function treeCpuSeconds(roots: number[], children = parents()): number {
  let ticks = 0;
  for (const pid of processTree(roots, children)) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / TICKS_PER_SECOND;
}

/** The processes whose CPU is counted as one tier (the load generator is this process). */
export type Tiers = Record<string, () => number[]>;

export interface CpuSample {
  at: number;
  seconds: Record<string, number>;
}

/** Busy CPU seconds of the whole machine (every core, not idle or iowait), from /proc/stat. */
function machineCpuSeconds(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
}

/**
 * CPU seconds per tier now; `loadgen` is this process alone, from Node (finer than ticks), and
 * `machine` every process, so what the run did not start (other work on the machine) shows.
 */
export function sampleCpu(tiers: Tiers): CpuSample {
  const children = parents();
  const seconds: Record<string, number> = { machine: machineCpuSeconds() };
  for (const [name, roots] of Object.entries(tiers)) seconds[name] = treeCpuSeconds(roots(), children);
  const own = process.cpuUsage();
  seconds.loadgen = (own.user + own.system) / 1e6;
  return { at: performance.now(), seconds };
}

/** CPU seconds each tier spent between two samples. */
export function cpuBetween(before: CpuSample, after: CpuSample): Record<string, number> {
  return Object.fromEntries(Object.keys(after.seconds).map((k) => [k, Math.max(0, after.seconds[k]! - (before.seconds[k] ?? 0))]));
}
