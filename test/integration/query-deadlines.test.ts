import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import postgres from 'postgres';
import { Registry } from 'prom-client';
import { connectDatabase, QueryTimeoutError, type Database } from '@gatehouse/database';
import { AmqpRpcClient, connectAmqp, RpcTimeoutError } from '@gatehouse/messaging';
import { loadBackEndConfig, startBackEnd } from '@gatehouse/back-end';
import { relayedDatabase } from '../support/relayed-database.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { testLogger as logger } from '../support/silent-logger.js';

/**
 * Issue 17, section 4: deadlines that fit the caller. QUERY_TIMEOUT_MS is 1 s here, so the client
 * gives up on a connection 2 s (+ the answer grace) after the query got one.
 */
const QUERY_TIMEOUT_MS = 1000;
let directUrl: string;
let proxiedUrl: string;
let proxy: TcpProxy;

beforeAll(async () => {
  ({ directUrl, proxiedUrl, proxy } = await relayedDatabase());
});
afterAll(() => proxy?.close());

const pidAfterSleep = (db: Database, seconds: number) =>
  db.primary((sql) => sql<{ pid: number }[]>`SELECT pg_sleep(${seconds}), pg_backend_pid() AS pid`.then(([row]) => row!.pid));

describe('the query deadline', () => {
  let db: Database;
  afterAll(() => db?.close());

  it('does not count the wait for a pooled connection', async () => {
    db = connectDatabase({ url: directUrl, queryTimeoutMs: QUERY_TIMEOUT_MS, max: 1 });
    // Three statements of 0.8 s hold the one connection in turn: the fourth waits 2.4 s for it,
    // longer than its deadline (2 s), and is still answered on that same connection.
    const holders = [0.8, 0.8, 0.8].map((s) => pidAfterSleep(db, s));
    const last = pidAfterSleep(db, 0);
    const pids = await Promise.all([...holders, last]);
    expect(new Set(pids).size).toBe(1); // never timed out, so never replaced
  });

  it('ends only the connection of the query that timed out', async () => {
    const pool = connectDatabase({ url: proxiedUrl, queryTimeoutMs: QUERY_TIMEOUT_MS, max: 2 });
    try {
      proxy.freezeOn('frozen-statement');
      const frozen = pool.primary((sql) => sql`SELECT 'frozen-statement'`, { retry: false });
      frozen.catch(() => undefined);
      const holder = pidAfterSleep(pool, 0.9);
      // Gets the holder's connection at 0.9 s and is still running (until 2.3 s) when the frozen
      // query times out (2 s): it must finish, unretried, on the connection it started on.
      const inFlight = pool.primary(
        (sql) => sql.begin(async (tx) => {
          await tx`SELECT pg_sleep(0.7)`;
          await tx`SELECT pg_sleep(0.7)`;
          const [row] = await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
          return row!.pid;
        }),
        { retry: false },
      );
      await expect(frozen).rejects.toBeInstanceOf(QueryTimeoutError);
      expect(await inFlight).toBe(await holder);
    } finally {
      proxy.thaw();
      await pool.close();
    }
  });
});

describe('a REGISTER that waits on a row lock past its caller’s deadline', () => {
  it('is not stored once the lock is released: the Back End gives up at the deadline', async () => {
    const amqpUrl = inject('amqpUrl');
    const queue = `request.${randomUUID()}`;
    const registry = new Registry();
    const backEnd = await startBackEnd(loadBackEndConfig({ AMQP_URL: amqpUrl, DATABASE_URL: directUrl, REQUEST_QUEUE: queue }), logger, registry);
    const connection = connectAmqp({ urls: [amqpUrl], name: 'query-deadlines-test', logger });
    const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 1000, logger });
    const holder = postgres(directUrl, { max: 1, onnotice: () => undefined });
    const email = `locked-${randomUUID()}@example.com`;
    try {
      // An uncommitted row with the same email: REGISTER's INSERT waits for this transaction.
      const release = await holdInsert(holder, email);
      const call = rpc.call({ action: 'REGISTER', data: { email, hash: 'h' } });
      await expect(call).rejects.toBeInstanceOf(RpcTimeoutError); // the caller's 503
      await release();
      const stored = () => holder<{ n: number }[]>`SELECT count(*)::int AS n FROM users WHERE lower(email) = ${email}`.then(([r]) => r!.n);
      // Until the Back End has finished with the request, one way or the other.
      await expect.poll(async () => (await stored()) > 0 || (await expired(registry)) > 0, { timeout: 20_000 }).toBe(true);
      expect(await stored()).toBe(0);
      expect(await expired(registry)).toBe(1);
    } finally {
      await holder.end();
      await rpc.close();
      await connection.close();
      await backEnd.stop();
    }
  });
});

/** Inserts `email` in an open transaction; the returned function rolls it back. */
async function holdInsert(sql: postgres.Sql, email: string): Promise<() => Promise<void>> {
  const reserved = await sql.reserve();
  await reserved`BEGIN`;
  await reserved`INSERT INTO users (email, hash) VALUES (${email}, 'held')`;
  return async () => {
    await reserved`ROLLBACK`;
    reserved.release();
  };
}

async function expired(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('gatehouse_backend_expired_requests_total')?.get();
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}
