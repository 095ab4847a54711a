import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, QueryTimeoutError, type Database } from '@gatehouse/database';
import { AmqpRpcClient, connectAmqp } from '@gatehouse/messaging';
import { loadBackEndConfig, startBackEnd } from '@gatehouse/back-end';
import { relayedDatabase } from '../support/relayed-database.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { testLogger as logger } from '../support/silent-logger.js';

// PostgreSQL behind a relay that can stop forwarding: a server that vanished without closing anything.
const QUERY_TIMEOUT_MS = 1000;
let directUrl: string;
let proxiedUrl: string;
let proxy: TcpProxy;
let db: Database;

beforeAll(async () => {
  ({ directUrl, proxiedUrl, proxy } = await relayedDatabase());
});

afterAll(() => proxy?.close());

describe('a query to a server that stopped answering', () => {
  beforeAll(() => void (db = connectDatabase({ url: proxiedUrl, queryTimeoutMs: QUERY_TIMEOUT_MS, max: 2 })));
  afterEach(() => proxy.thaw());
  afterAll(() => db?.close());

  it('fails with a clear error about QUERY_TIMEOUT_MS later, instead of hanging', async () => {
    expect(await db.standby((sql) => sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    proxy.freeze();
    const started = Date.now();
    const failure = await db.standby((sql) => sql`SELECT 2 AS two`).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(QueryTimeoutError);
    expect((failure as Error).message).toMatch(new RegExp(`no answer from 127\\.0\\.0\\.1:${proxy.port} within \\d+ ms`));
    expect(Date.now() - started).toBeLessThan(10 * QUERY_TIMEOUT_MS);
  });

  it('is retried once on a fresh connection', async () => {
    expect(await db.primary((sql) => sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    const before = proxy.connections;
    proxy.freeze({ newConnections: false }); // the connections we have hang; new ones work
    expect(await db.primary((sql) => sql`SELECT 2 AS two`)).toEqual([{ two: 2 }]);
    expect(proxy.connections).toBeGreaterThan(before);
  });

  it('succeeds once the server answers again, when every connection hung for a while', async () => {
    await db.primary((sql) => sql`SELECT 1`);
    const before = proxy.connections;
    proxy.freeze();
    const pending = db.primary((sql) => sql.begin((tx) => tx`SELECT 3 AS three`));
    await expect.poll(() => proxy.connections, { timeout: 20_000 }).toBeGreaterThan(before); // the retry's connection
    proxy.thaw();
    expect(await pending).toEqual([{ three: 3 }]);
  });
});

describe('a connection replaced while it starts up', () => {
  // postgres.js's own first query on a connection (array types from pg_catalog.pg_type) has no
  // handler: if the connection dies while it runs, as when a hung pool is replaced during a
  // failover, the rejection is unhandled and ends the process (porsager/postgres#1192, #1205).
  it('sends no query of its own, so there is none to fail', async () => {
    const fresh = connectDatabase({ url: proxiedUrl, queryTimeoutMs: QUERY_TIMEOUT_MS, max: 1 });
    try {
      proxy.freezeOn('pg_catalog.pg_type');
      expect(await fresh.primary((sql) => sql`SELECT 4 AS four`)).toEqual([{ four: 4 }]);
      expect(proxy.frozenOn).toBe(0);
    } finally {
      proxy.thaw();
      await fresh.close();
    }
  });
});

describe('a Back End whose primary stopped answering', () => {
  it('answers a REGISTER through a fresh connection', async () => {
    const amqpUrl = inject('amqpUrl');
    const queue = `request.${randomUUID()}`;
    const env = { AMQP_URL: amqpUrl, DATABASE_URL: proxiedUrl, REQUEST_QUEUE: queue, QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS) };
    const backEnd = await startBackEnd(loadBackEndConfig(env), logger);
    const connection = connectAmqp({ urls: [amqpUrl], name: 'query-timeout-test', logger });
    const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 20_000, logger });
    try {
      expect(await rpc.call({ action: 'REGISTER', data: { email: 'before@example.com', hash: 'h' } })).toEqual({ success: true });
      proxy.freeze({ newConnections: false });
      expect(await rpc.call({ action: 'REGISTER', data: { email: 'during@example.com', hash: 'h' } })).toEqual({ success: true });
      expect(await rpc.call({ action: 'GETHASH', data: { email: 'during@example.com' } })).toEqual({ success: true, hash: 'h' });
    } finally {
      proxy.thaw();
      await rpc.close();
      await connection.close();
      await backEnd.stop();
    }
  });
});
