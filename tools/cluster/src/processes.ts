import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readStat, tail } from '@gatehouse/processes';

export { commandLineOf } from '@gatehouse/processes';

/**
 * A process we started, identified by PID and start time together: a PID alone may have been
 * reused by the time we look again, and we must only ever signal our own processes.
 */
export interface ProcessRecord {
  pid: number;
  startTime: string;
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
}

/** Starts a program in its own session, output appended to its log, independent of this process. */
export function spawnDetached(command: string, args: string[], { env, cwd, logFile }: SpawnOptions): ProcessRecord {
  mkdirSync(dirname(logFile), { recursive: true });
  const out = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', out, out] });
    child.unref();
    if (!child.pid) throw new Error(`could not start ${command}`);
    return { pid: child.pid, startTime: startTimeOf(child.pid) ?? '' };
  } finally {
    closeSync(out);
  }
}

function startTimeOf(pid: number): string | undefined {
  return readStat(pid)?.startTime.toString();
}

/** True while the recorded process runs (not a zombie, and not a newer process that reused the PID). */
export function isRunning(record: ProcessRecord | undefined): record is ProcessRecord {
  if (!record || record.pid <= 0) return false;
  const stat = readStat(record.pid);
  if (!stat || stat.state === 'Z') return false;
  return record.startTime === '' || stat.startTime.toString() === record.startTime;
}

/** Adopts a PID read from a server's own pid file. */
export function recordOf(pid: number): ProcessRecord | undefined {
  const startTime = startTimeOf(pid);
  return startTime === undefined ? undefined : { pid, startTime };
}

export function signal(record: ProcessRecord | undefined, sig: NodeJS.Signals): void {
  if (!isRunning(record)) return;
  try {
    process.kill(record.pid, sig);
  } catch {
    // it exited between the check and the signal
  }
}

export async function waitForExit(record: ProcessRecord | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(record)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function terminate(record: ProcessRecord | undefined, graceMs: number): Promise<void> {
  signal(record, 'SIGTERM');
  if (!(await waitForExit(record, graceMs))) {
    signal(record, 'SIGKILL');
    await waitForExit(record, 5000);
  }
}

/** Where each node's main process is recorded. */
export class ProcessTable {
  constructor(private readonly dataDir: string) {}

  #file(name: string): string {
    return join(this.dataDir, 'run', `${name}.json`);
  }

  get(name: string): ProcessRecord | undefined {
    const file = this.#file(name);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ProcessRecord;
    } catch {
      return undefined;
    }
  }

  set(name: string, record: ProcessRecord): void {
    const file = this.#file(name);
    mkdirSync(dirname(file), { recursive: true });
    // Whole or not at all: another command may read it at the same moment (see files.ts).
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(record));
    renameSync(temporary, file);
  }

  clear(name: string): void {
    rmSync(this.#file(name), { force: true });
  }
}

/** A number from the first line of a server's pid file, if the file exists. */
export async function pidFromFile(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).split('\n')[0]!.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** Give up early when this process has exited. */
  process?: ProcessRecord;
  /** Shown in the error, to explain a failure. */
  logFile?: string;
  intervalMs?: number;
}

/** Thrown by a check to stop waiting at once. */
export class GiveUp extends Error {}

/** A check for waitUntil that is true once `promise` resolves, and gives up when it rejects. */
export function settled(promise: Promise<unknown>): () => Promise<boolean> {
  let state: { done: boolean; error?: unknown } = { done: false };
  promise.then(
    () => (state = { done: true }),
    (error: unknown) => (state = { done: false, error }),
  );
  return async () => {
    if (state.error) throw new GiveUp((state.error as Error).message ?? String(state.error));
    return state.done;
  };
}

/** Polls `check` until it returns true; a clear error (with the log's tail) otherwise. */
export async function waitUntil(what: string, check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    let reason: string | undefined;
    const ok = await check().catch((err: unknown) => {
      if (err instanceof GiveUp) reason = err.message;
      return false;
    });
    if (ok) return;
    if (!reason && options.process && !isRunning(options.process)) reason = 'its process exited';
    if (!reason && Date.now() > deadline) reason = `not within ${Math.round(options.timeoutMs / 1000)} s`;
    if (reason) {
      const log = options.logFile ? `\n--- ${options.logFile}\n${await tail(options.logFile, 25)}` : '';
      throw new Error(`${what}: ${reason}${log}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}
