import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@gatehouse/messaging';
import { spawnService, type ServiceProcess } from '../support/service-process.js';
import { TEST_MFA_KEY } from '../support/totp-client.js';

/** Lines a crashed or crashing Node service prints; none may appear during a fuzz run. */
export const CRASH_PATTERN = /uncaught|unhandled|FATAL|"level":60|out of memory|Maximum call stack|heap limit/i;

/** Polls until `check` is true, or throws naming `what` after `timeoutMs`. */
export async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A service child process that remembers whether (and how) it exited. */
export interface WatchedService {
  process: ServiceProcess;
  /** 'running' until the process exits; then its exit code (null: killed by a signal). */
  readonly state: 'running' | number | null;
  /** Output lines that look like a crash. */
  crashLines(): string[];
}

export function watch(process: ServiceProcess): WatchedService {
  let state: 'running' | number | null = 'running';
  void process.exited.then((code) => (state = code));
  return {
    process,
    get state() {
      return state;
    },
    crashLines: () => process.output().split('\n').filter((line) => CRASH_PATTERN.test(line)),
  };
}

/** A queue's ready-message and consumer counts from a passive declare; undefined while it does not exist. */
export async function queueCounts(connection: Connection, queue: string): Promise<{ messageCount: number; consumerCount: number } | undefined> {
  try {
    return await connection.queueDeclare({ queue, passive: true });
  } catch {
    return undefined;
  }
}

/**
 * Starts the real Back End as a child process. At LOG_LEVEL=warn it never says "Starting
 * consumption", so readiness is its consumer showing up on the queue.
 */
export async function startBackEndProcess(connection: Connection, env: Record<string, string>): Promise<WatchedService> {
  // With the MFA key and a passkey origin, the TOTP and passkey forms do their work instead of
  // answering "not set up here" (501). The fuzzer's browser-less answers fail the origin check anyway.
  const settings = { LOG_LEVEL: 'warn', MFA_ENCRYPTION_KEY: TEST_MFA_KEY, WEBAUTHN_ORIGIN: 'http://localhost:3000', ...env };
  const backEnd = watch(spawnService('services/back-end/src/main.ts', settings));
  const queue = env.REQUEST_QUEUE ?? 'request';
  await until('the Back End to consume from its queue', 60_000, async () => {
    if (backEnd.state !== 'running') throw new Error(`Back End exited (${backEnd.state}) during start-up:\n${backEnd.process.output().slice(-3000)}`);
    return ((await queueCounts(connection, queue))?.consumerCount ?? 0) > 0;
  });
  return backEnd;
}

/** Starts the real Front End as a child process and waits until /readyz says it reaches the broker. */
export async function startFrontEndProcess(port: number, env: Record<string, string>): Promise<WatchedService> {
  const frontEnd = watch(spawnService('services/front-end/src/main.ts', { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_MS: '0', ...env }));
  await until('the Front End to be ready', 60_000, async () => {
    if (frontEnd.state !== 'running') throw new Error(`Front End exited (${frontEnd.state}) during start-up:\n${frontEnd.process.output().slice(-3000)}`);
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    return res?.status === 200;
  });
  return frontEnd;
}
