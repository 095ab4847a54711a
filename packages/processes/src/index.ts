import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** The fields of /proc/<pid>/stat that we use; times are in clock ticks (USER_HZ). */
export interface ProcStat {
  state: string;
  ppid: number;
  utime: number;
  stime: number;
  /** CPU of children that exited and were waited for. */
  cutime: number;
  cstime: number;
  /** Since boot: with the PID, it tells a process from a later one that reused the PID. */
  startTime: number;
}

/** Parses the text of /proc/<pid>/stat. */
export function parseStat(text: string): ProcStat {
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (field: number) => Number(fields[field - 3]); // man 5 proc numbers fields from 1
  return { state: fields[0]!, ppid: n(4), utime: n(14), stime: n(15), cutime: n(16), cstime: n(17), startTime: n(22) };
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone
  }
}

/** True while the process exists and is not a zombie (an orphan waits for init to reap it, which can take seconds). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** Every live process's children, from one pass over /proc. */
export function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue; // exited while we looked
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  return children;
}

/** PIDs whose parent is `ppid`. */
export function childrenOf(ppid: number): number[] {
  return childrenByParent().get(ppid) ?? [];
}

/** The roots and all their descendants, each once. */
export function processTree(roots: number[], children = childrenByParent()): number[] {
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

/** The arguments joined by spaces; '' once the process is gone. */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The last `lines` lines of a log, to explain a failure; a final newline does not count as a line. */
export async function tail(file: string, lines: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}
