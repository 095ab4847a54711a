import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, SOURCE_CONDITION, TSX } from '../test/support/service-process.js';

export interface Service {
  pid: number;
  log: string;
  stop(): Promise<void>;
}

let profileDir: string | undefined;

/** With `--profile DIR`: every service started from now on writes a V8 CPU profile under DIR/<name>/ when it exits. */
export function profileServicesInto(dir: string | undefined): void {
  profileDir = dir;
}

/**
 * Runs `tsx <script>` from the repository root with exactly `env`, its output to a log file:
 * not to a pipe into this process, whose CPU is the load generator's.
 */
export function spawnLogged(script: string, env: Record<string, string>, logDir: string, name: string): Service {
  const log = join(logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir, name)}`] : [];
  const child = spawn(TSX, [SOURCE_CONDITION, ...profile, script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', fd, fd],
    detached: true, // its own process group, so a SIGKILL reaches tsx's child too
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) process.kill(sig === 'SIGKILL' ? -child.pid! : child.pid!, sig);
  };
  const onExit = () => kill('SIGKILL');
  process.once('exit', onExit);
  return {
    pid: child.pid!,
    log,
    async stop() {
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      process.off('exit', onExit);
    },
  };
}

/** Polls `url` until it answers 200. */
export async function waitForOk(url: string, service: Service, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200) return;
    await sleep(100);
  }
  throw new Error(`${url} never answered 200; ${service.log}:\n${readFileSync(service.log, 'utf8').slice(-2000)}`);
}
