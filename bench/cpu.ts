import { readFileSync } from 'node:fs';
import { childrenByParent, processTree, readStat } from '@gatehouse/processes';

// USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK); /proc/<pid>/stat counts in it.
const TICKS_PER_SECOND = 100;

/** utime + stime, plus cutime + cstime: children that exited (and were waited for) still count. */
function ticksOf(pid: number): number {
  const stat = readStat(pid);
  return stat ? stat.utime + stat.stime + stat.cutime + stat.cstime : 0; // 0: gone
}

/** CPU seconds used so far by the roots' process trees. */
export function treeCpuSeconds(roots: number[], children = childrenByParent()): number {
  let ticks = 0;
  for (const pid of processTree(roots, children)) ticks += ticksOf(pid);
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
  const children = childrenByParent();
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
