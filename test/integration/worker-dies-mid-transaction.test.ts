import { randomUUID } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Reply } from '@gatehouse/protocol';
import { connectDatabase, migrate } from '@gatehouse/database';
import { AmqpRpcClient, connectAmqp } from '@gatehouse/messaging';
import { createTestDatabase } from '../harness/postgres.js';
import { spawnService, type ServiceProcess } from '../support/service-process.js';
import { testLogger as logger } from '../support/silent-logger.js';

// Back End A takes a REGISTER and writes the user, then blocks on its audit row (the test holds
// the table). A freezes; the broker misses its heartbeats, drops it and redelivers to Back End B.
// Then A's transaction either commits late (A thaws) or dies with A.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function startBackEndProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const backEnd = spawnService('services/back-end/src/main.ts', env);
  cleanups.push(() => backEnd.stop('SIGKILL'));
  await backEnd.waitFor(/Starting consumption/);
  return backEnd;
}

/** Holds auth_events in an open transaction until `release` is called. */
async function holdAuditTable(sql: Sql): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const holding = sql.begin(async (tx) => {
    await tx`LOCK TABLE auth_events IN ACCESS EXCLUSIVE MODE`;
    locked();
    await released;
  });
  await Promise.race([isLocked, holding]);
  cleanups.push(async () => (release(), holding));
  return { release: async () => (release(), await holding) };
}

/** Backends of this database waiting for a lock of this kind ('relation', 'transactionid'). */
async function waitingFor(sql: Sql, database: string, kind: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = ${database} AND wait_event_type = 'Lock' AND wait_event = ${kind}`;
  return row!.n;
}

async function registerWhileWorkerDies(ending: 'thaws' | 'is killed'): Promise<{ reply: Reply; stored: number }> {
  const amqpUrl = inject('amqpUrl');
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  const database = new URL(databaseUrl).pathname.slice(1);
  const db = connectDatabase({ url: databaseUrl });
  cleanups.push(() => db.close());
  await migrate(db.readWrite);
  const admin = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  cleanups.push(() => admin.end({ timeout: 5 }));
  // Both workers wait on locks far longer than this test takes, so only A's fate decides.
  const env = { AMQP_URL: amqpUrl, DATABASE_URL: databaseUrl, REQUEST_QUEUE: `request.${randomUUID()}`, QUERY_TIMEOUT_MS: '120000' };

  const a = await startBackEndProcess(env);
  const audit = await holdAuditTable(admin);
  const connection = connectAmqp({ urls: [amqpUrl], name: 'worker-dies-test', logger });
  const rpc = new AmqpRpcClient({ connection, queue: env.REQUEST_QUEUE, mode: 'quorum', timeoutMs: 60_000, logger });
  cleanups.push(() => connection.close(), () => rpc.close());
  const email = `user-${randomUUID()}@example.com`;
  const answer = rpc.call({ action: 'REGISTER', data: { email, hash: 'h' } });
  answer.catch(() => undefined); // awaited below; may fail before that

  await expect.poll(() => waitingFor(admin, database, 'relation'), { timeout: 30_000 }).toBe(1); // A, after its INSERT
  const b = await startBackEndProcess(env);
  process.kill(-a.pid, 'SIGSTOP'); // A's whole process group: tsx and the server it runs
  cleanups.push(async () => process.kill(-a.pid, 'SIGCONT'));
  // B got the redelivery and waits for A's transaction to end.
  await expect.poll(() => waitingFor(admin, database, 'transactionid'), { timeout: 60_000, interval: 500 }).toBe(1);
  await audit.release();
  if (ending === 'thaws') process.kill(-a.pid, 'SIGCONT');
  else await a.stop('SIGKILL');

  const reply = await answer;
  const [row] = await admin<{ n: number }[]>`SELECT count(*)::int AS n FROM users WHERE lower(email) = ${email}`;
  expect(b.output()).not.toMatch(/Request failed/);
  return { reply, stored: row!.n };
}

describe('a worker that stops between its write and its commit', () => {
  it('commits late: the redelivered copy answers with its reply, not "User already exists"', async () => {
    expect(await registerWhileWorkerDies('thaws')).toEqual({ reply: { success: true }, stored: 1 });
  }, 150_000);

  it('is killed: the redelivered copy registers the user', async () => {
    expect(await registerWhileWorkerDies('is killed')).toEqual({ reply: { success: true }, stored: 1 });
  }, 150_000);
});
