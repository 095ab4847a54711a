import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { connectDatabase, type Database } from '@gatehouse/database';
import { freePort } from '../harness/free-port.js';
import { createTestDatabase } from '../harness/postgres.js';
import { spawnService, type ServiceProcess } from './service-process.js';

export const TEST_SESSION_SECRET = 'test-session-secret-of-at-least-32-characters';

/** A Back End and a Front End as real processes, on the harness's broker and a fresh database. */
export interface Stack {
  url: string;
  databaseUrl: string;
  queue: string;
  backEnd: ServiceProcess;
  frontEnd: ServiceProcess;
  /** Starts one more Front End on the same queue, with extra settings. */
  addFrontEnd(env?: Record<string, string>): Promise<{ url: string; process: ServiceProcess }>;
  /** Everything both services have logged so far. */
  logs(): string;
  stop(): Promise<void>;
}

/** Starts one service with exactly `env`: by default from its TypeScript sources with tsx. */
export type Launcher = (service: 'front-end' | 'back-end', env: Record<string, string>) => ServiceProcess;
const fromSources: Launcher = (service, env) => spawnService(`services/${service}/src/main.ts`, env);

export async function startStack(
  frontEndEnv: Record<string, string> = {},
  backEndEnv: Record<string, string> = {},
  launch: Launcher = fromSources,
): Promise<Stack> {
  const amqpUrl = inject('amqpUrl');
  const queue = `request.${randomUUID()}`;
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  // Its own mail queue too: stacks in textbook mode declare it classic, quorum ones as quorum.
  const mailQueue = `mail.${randomUUID()}`;
  const backEnd = launch('back-end', { AMQP_URL: amqpUrl, DATABASE_URL: databaseUrl, REQUEST_QUEUE: queue, MAIL_QUEUE: mailQueue, ...backEndEnv });
  await backEnd.waitFor(/Starting consumption/);
  const extra: ServiceProcess[] = [];

  const addFrontEnd = async (env: Record<string, string> = {}) => {
    const started = await startFrontEndProcess({ AMQP_URL: amqpUrl, REQUEST_QUEUE: queue, ...env }, launch);
    extra.push(started.process);
    return started;
  };

  const first = await addFrontEnd(frontEndEnv);
  return {
    url: first.url,
    databaseUrl,
    queue,
    backEnd,
    frontEnd: first.process,
    addFrontEnd,
    logs: () => [backEnd, ...extra].map((p) => p.output()).join('\n'),
    async stop() {
      await Promise.all(extra.map((p) => p.stop()));
      await backEnd.stop();
    },
  };
}

/**
 * One Front End as a real process on a free port, with the test secret and no rate limit or
 * drain unless `env` says otherwise; resolves once it is ready. `env` needs AMQP_URL.
 */
export async function startFrontEndProcess(env: Record<string, string>, launch: Launcher = fromSources): Promise<{ url: string; process: ServiceProcess }> {
  const port = String(await freePort());
  const process = launch('front-end', {
    PORT: port,
    SESSION_SECRET: TEST_SESSION_SECRET,
    RATE_LIMIT_PER_MINUTE: '100000',
    SHUTDOWN_DRAIN_MS: '0', // no load balancer to drain for; tests stop Front Ends often
    ...env,
  });
  const url = `${env.TLS_CERT_FILE ? 'https' : 'http'}://127.0.0.1:${port}`;
  try {
    await process.waitFor(/listening on https?:\/\//i);
    await waitUntilReady(url, process);
  } catch (err) {
    await process.stop('SIGKILL');
    throw err;
  }
  return { url, process };
}

/** /readyz turns 200 once the Front End's broker connection is up. */
async function waitUntilReady(url: string, process: ServiceProcess): Promise<void> {
  if (url.startsWith('https:')) return process.waitFor(/connected/i, 30_000);
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready:\n${process.output().slice(-2000)}`);
}

/** A stack and a connection to its database, for the describe block (or file) that calls this: started before it, stopped after. */
export function useStackWithDatabase(frontEndEnv: Record<string, string> = {}, backEndEnv: Record<string, string> = {}): () => { stack: Stack; db: Database } {
  let stack: Stack | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    stack = await startStack(frontEndEnv, backEndEnv);
    db = connectDatabase({ url: stack.databaseUrl });
  });
  afterAll(async () => {
    await db?.close();
    await stack?.stop();
  });
  return () => ({ stack: stack!, db: db! });
}
