import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLineOf, isAlive, tail as tailOf } from '@gatehouse/processes';

export { childrenOf, isAlive } from '@gatehouse/processes';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Run a program (no shell) and return its stdout; the error carries stderr so failures explain themselves. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env: opts.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const detail = [stderr, stdout].map((s) => s.trim()).filter(Boolean).join('\n');
          reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}${detail ? `\n${detail}` : ''}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** Names end up in paths, node names and socket paths: keep them short and boring. */
export function safeName(name: string | undefined, fallback: string): string {
  const cleaned = (name ?? fallback).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return (cleaned || fallback).slice(0, 20);
}

export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined || pid <= 0) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** True while the PID exists at all, zombies included (what PostgreSQL's postmaster.pid check sees). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signal `pid` only if its command line mentions `marker` (our temp folder), so a recycled PID is never hit. */
export function killIfOurs(pid: number, marker: string, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid <= 0) return;
  if (commandLineOf(pid).includes(marker)) killQuietly(pid, signal);
}

export async function waitForExit(pid: number, timeoutMs: number, opts: { reaped?: boolean } = {}): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (opts.reaped ? pidExists(pid) : isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export async function waitForTcp(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing accepted TCP on ${host}:${port} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export function tail(path: string, lines = 40): Promise<string> {
  return tailOf(path, lines);
}

// Synchronous cleanups run when the test process goes away without calling stop().
const cleanups = new Set<() => void>();
let installed = false;

function runCleanups(): void {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort: the process is exiting anyway
    }
  }
  cleanups.clear();
}

/** Register a synchronous cleanup for process exit (and fatal signals); returns the unregister function. */
export function onProcessExit(fn: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runCleanups);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        runCleanups();
        // Without our listener the default action (terminate) applies; keep it unless someone else handles it.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    }
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}
